// Package tenant owns tenants, their streams, API keys and client certificates, and
// resolves a credential to the tenant it belongs to. The tenant of every request comes
// from here, never from the request itself.
//
// Directory is the interface; Static serves the tenants of the configuration file.
package tenant
