// Package catalogtest is the conformance suite of tenant.Catalog: every backend
// (tenant/sqlite, tenant/postgres) runs Run from its tests, so that they behave alike.
//
// Run opens a fresh, empty catalog for every subtest, with a fake clock that the suite
// moves forward; a backend's open function registers its own cleanup with t.Cleanup.
// Some subtests call Close themselves, so Close must tolerate being called again.
package catalogtest
