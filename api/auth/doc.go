// Package auth signs people in and authenticates the credentials of API calls.
//
// A person signs in with an email and a password (Login) and gets a short-lived access
// token, a JWT signed with Ed25519, and a refresh token, kept in the catalog as a hash
// and rotated at every use (Refresh). A refresh token used after its rotation was stolen
// or copied: its whole family of sessions is revoked. Signing keys live in the catalog,
// so that several processes sign and verify alike, and rotate on a schedule (Run).
// Machines present API keys, which the tenant.Directory resolves; Authenticate takes
// either kind from an "Authorization: Bearer" header.
//
// Failed sign-ins are limited per account and address together, and per address, before
// the password is checked, so that guessing is slow and a limited attempt cannot enter
// even with the right password, while failures from elsewhere do not lock the owner out.
package auth
