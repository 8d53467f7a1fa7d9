// Package ecs builds Elastic Common Schema documents: fields are set by dotted path
// ("http.response.status_code") and written as nested JSON objects in a deterministic key
// order, always valid JSON and valid UTF-8 whatever bytes the values hold.
//
// A Document is reused from record to record (Reset), so building one costs no allocation
// for fields whose paths are constants and whose values are slices of the input. It also
// merges user JSON objects, where dotted keys and nested objects both name paths.
//
// Collisions are resolved deterministically and without losing a value:
//   - the same path set twice keeps the last value, except that reserved fields win over
//     user fields, and appended fields (AddTag, AddError) join every value into an array;
//   - a path that is both a value and an object keeps the object, and the value moves to
//     "<path>._value" (underscores are added until the name is free) — unless the value is
//     reserved, in which case the object moves to the sibling "<path>_object".
package ecs
