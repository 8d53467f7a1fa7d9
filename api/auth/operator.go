package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/trolly-logs/trolly/tenant"
)

// EnsureOperator creates the first operator when the catalog has none; created is false
// when one exists. Processes starting together may race: the loser finds the winner's.
func EnsureOperator(ctx context.Context, cat tenant.Catalog, email, password string, params tenant.PasswordParams) (created bool, err error) {
	email, err = tenant.NormalizeEmail(email)
	if err != nil {
		return false, fmt.Errorf("check operator email: %w", err)
	}
	if err := tenant.ValidPassword(password); err != nil {
		return false, fmt.Errorf("check operator password: %w", err)
	}
	n, err := cat.CountOperators(ctx)
	if err != nil {
		return false, fmt.Errorf("count operators: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	u := tenant.User{Email: email, Name: email, Role: tenant.RoleOperator, PasswordHash: tenant.HashPassword(password, params)}
	_, err = cat.CreateUser(ctx, tenant.Actor{Kind: "config"}, u)
	if errors.Is(err, tenant.ErrConflict) {
		if n, cerr := cat.CountOperators(ctx); cerr == nil && n > 0 {
			return false, nil
		}
	}
	if err != nil {
		return false, fmt.Errorf("create operator: %w", err)
	}
	return true, nil
}
