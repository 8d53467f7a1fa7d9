// Package ecstest checks ECS documents in the processor's tests: valid UTF-8, valid JSON, an
// object, no key twice in one object.
package ecstest
