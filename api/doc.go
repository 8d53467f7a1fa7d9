// Package api is the tenant API: gRPC services and their REST mapping (grpc-gateway), on one
// listener, with authentication and authorisation in one interceptor. The tenant of every
// call comes from its credential.
package api
