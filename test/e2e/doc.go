// Package e2e tests the built trolly binary as a user runs it: it starts the binary on free
// ports in a temporary directory and talks to it over HTTP only (and reads the archive it
// leaves on disk).
package e2e
