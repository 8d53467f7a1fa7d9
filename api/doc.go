// Package api is the tenant API: gRPC services and their REST mapping (grpc-gateway), on one
// listener, with authentication and authorisation in one interceptor and one table of
// rules (rules.go). The tenant of every tenant's call comes from its credential; another
// tenant's resources answer as missing ones. Protobuf types meet the tenant model in
// convert.go only, and errors become codes in errors.go only.
package api
