package tenant

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// cheap keeps the tests fast; the format and the check do not depend on the costs.
var cheap = PasswordParams{Memory: 64, Time: 1, Threads: 1}

func TestPassword(t *testing.T) {
	h := HashPassword("correct horse", cheap)
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$"), h)
	require.NotEqual(t, h, HashPassword("correct horse", cheap), "every hash has its own salt")

	ok, err := CheckPassword(h, "correct horse")
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = CheckPassword(h, "correct horse ")
	require.NoError(t, err)
	require.False(t, ok)

	for _, bad := range []string{"", "sha256:abc", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=x$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
		_, err := CheckPassword(bad, "x")
		require.ErrorIs(t, err, errBadHash, bad)
	}
}

func TestKeySecret(t *testing.T) {
	id, secret := NewKeySecret()
	require.Len(t, id, 26)
	require.True(t, strings.HasPrefix(secret, "trl_"+id+"_"), secret)
	_, other := NewKeySecret()
	require.NotEqual(t, secret, other)

	tok, hash := NewToken()
	require.Equal(t, HashToken(tok), hash)
	require.NotEqual(t, tok, hash)
}

func TestValidate(t *testing.T) {
	p := Plan{ID: "gold", Name: "Gold"}
	p.ApplyDefaults()
	require.NoError(t, p.Validate())
	p.Limits.MaxStreams = -1
	err := p.Validate()
	require.ErrorIs(t, err, ErrInvalid)
	require.Equal(t, "limits.max_streams", FieldOf(err))

	for _, tc := range []struct {
		err   error
		field string
	}{
		{Tenant{ID: "Acme", Name: "x", PlanID: "gold"}.Validate(), "id"},
		{Tenant{ID: "acme", Name: " ", PlanID: "gold"}.Validate(), "name"},
		{User{Email: "not an address", Role: RoleAdmin, TenantID: "acme"}.Validate(), "email"},
		{User{Email: "a@b.example", Role: RoleOperator, TenantID: "acme"}.Validate(), "role"},
		{User{Email: "a@b.example", Role: RoleMember}.Validate(), "tenant_id"},
		{User{Email: "a@b.example", Role: RoleMember, TenantID: "acme"}.Validate(), "password"},
		{Stream{Name: "web", SourceType: "text", Parser: []byte("[1]")}.Validate(), "parser"},
		{Stream{Name: "web", SourceType: "text", Labels: map[string]string{"Bad": "x"}}.Validate(), "labels"},
		{APIKey{Name: "k", TenantID: "acme", Scopes: []Scope{"write"}, Hash: HashKey("x")}.Validate(), "scopes"},
		{APIKey{Name: "k", TenantID: "acme", Scopes: []Scope{ScopeRead}, Hash: "x"}.Validate(), "hash"},
	} {
		require.ErrorIs(t, tc.err, ErrInvalid, tc.field)
		require.Equal(t, tc.field, FieldOf(tc.err))
	}
	require.NoError(t, User{Email: "a@b.example", Role: RoleMember, TenantID: "acme", PasswordHash: HashPassword("x", cheap)}.Validate())
	e, err := NormalizeEmail("Ops@Example.COM")
	require.NoError(t, err)
	require.Equal(t, "ops@example.com", e)
}
