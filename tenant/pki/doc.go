// Package pki is Trolly's certificate authority: it makes the authority, kept in the
// tenant catalog so that every process of a deployment shares it, and issues the TLS client
// certificates that stand for a tenant on the syslog TLS listeners.
package pki
