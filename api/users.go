package api

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

type userService struct {
	trollyv1.UnimplementedUserServiceServer
	*Server
}

// userPaths are the paths of a user's update mask; name, role, disabled and password change.
var userPaths = []string{"id", "tenant_id", "email", "name", "role", "disabled", "create_time", "update_time", "password"}

// ListUsers implements trollyv1.UserServiceServer.
func (s *userService) ListUsers(ctx context.Context, req *trollyv1.ListUsersRequest) (*trollyv1.ListUsersResponse, error) {
	tenantID, err := actingTenant(principalFrom(ctx), req.GetTenantId(), "tenant")
	if err != nil {
		return nil, err
	}
	us, next, err := s.cat.ListUsers(ctx, tenantID, page(req.GetPageSize(), req.GetPageToken()))
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "user")
	}
	out := &trollyv1.ListUsersResponse{Users: make([]*trollyv1.User, len(us)), NextPageToken: next}
	for i, u := range us {
		out.Users[i] = userToProto(u)
	}
	return out, nil
}

// CreateUser implements trollyv1.UserServiceServer: operators create anyone, a tenant's
// admins the admins and members of their tenant.
func (s *userService) CreateUser(ctx context.Context, req *trollyv1.CreateUserRequest) (*trollyv1.CreateUserResponse, error) {
	in := req.GetUser()
	p := principalFrom(ctx)
	tenantID, err := actingTenant(p, in.GetTenantId(), "tenant")
	if err != nil {
		return nil, err
	}
	if err := mayGiveRole(p, tenant.Role(in.GetRole())); err != nil {
		return nil, err
	}
	if tenantID != "" && isOperator(p) {
		if _, err := s.cat.GetTenant(ctx, tenantID); errors.Is(err, tenant.ErrNotFound) {
			return nil, invalidField("tenant_id", "no such tenant")
		} else if err != nil {
			return nil, statusOf(ctx, s.log, err, "tenant")
		}
	}
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	u := tenant.User{TenantID: tenantID, Email: in.GetEmail(), Name: in.GetName(), Role: tenant.Role(in.GetRole()),
		Disabled: in.GetDisabled(), PasswordHash: hash}
	u, err = s.cat.CreateUser(ctx, s.actor(ctx), u)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "user")
	}
	return &trollyv1.CreateUserResponse{User: userToProto(u)}, nil
}

// mayGiveRole refuses to let a tenant's admin make an operator.
func mayGiveRole(p tenant.Principal, r tenant.Role) error {
	if r == tenant.RoleOperator && !isOperator(p) {
		return status.Error(codes.PermissionDenied, "only operators make operators")
	}
	return nil
}

// hashPassword checks and hashes a new password.
func (s *userService) hashPassword(ctx context.Context, pw *string) (string, error) {
	if pw == nil || *pw == "" {
		return "", invalidField("password", "is required")
	}
	if err := tenant.ValidPassword(*pw); err != nil {
		return "", invalidField("password", strings.TrimPrefix(err.Error(), "password: "))
	}
	h, err := s.auth.HashPassword(ctx, *pw, s.cfg.PasswordParams)
	if err != nil {
		return "", statusOf(ctx, s.log, err, "user")
	}
	return h, nil
}

// GetUser implements trollyv1.UserServiceServer.
func (s *userService) GetUser(ctx context.Context, req *trollyv1.GetUserRequest) (*trollyv1.GetUserResponse, error) {
	tenantID, err := actingTenant(principalFrom(ctx), req.GetTenantId(), "user")
	if err != nil {
		return nil, err
	}
	u, err := s.cat.GetUser(ctx, tenantID, req.GetId())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "user")
	}
	return &trollyv1.GetUserResponse{User: userToProto(u)}, nil
}

// UpdateUser implements trollyv1.UserServiceServer. The email and the tenant never change.
func (s *userService) UpdateUser(ctx context.Context, req *trollyv1.UpdateUserRequest) (*trollyv1.UpdateUserResponse, error) {
	p := principalFrom(ctx)
	tenantID, err := actingTenant(p, req.GetTenantId(), "user")
	if err != nil {
		return nil, err
	}
	m, err := readMask(ctx, req.GetUpdateMask(), userPaths)
	if err != nil {
		return nil, err
	}
	u, err := s.cat.GetUser(ctx, tenantID, req.GetUser().GetId())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "user")
	}
	in := req.GetUser()
	if m.has("email") && in.GetEmail() != "" && in.GetEmail() != u.Email {
		return nil, invalidField("email", "cannot be changed; make another user")
	}
	set(m, "name", &u.Name, in.GetName())
	set(m, "role", &u.Role, tenant.Role(in.GetRole()))
	set(m, "disabled", &u.Disabled, in.GetDisabled())
	if err := mayGiveRole(p, u.Role); err != nil {
		return nil, err
	}
	if m.has("password") && (in.Password != nil || !m.all) {
		if u.PasswordHash, err = s.hashPassword(ctx, in.Password); err != nil {
			return nil, err
		}
	}
	u, err = s.cat.UpdateUser(ctx, s.actor(ctx), u)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "user")
	}
	return &trollyv1.UpdateUserResponse{User: userToProto(u)}, nil
}

// DeleteUser implements trollyv1.UserServiceServer.
func (s *userService) DeleteUser(ctx context.Context, req *trollyv1.DeleteUserRequest) (*trollyv1.DeleteUserResponse, error) {
	tenantID, err := actingTenant(principalFrom(ctx), req.GetTenantId(), "user")
	if err != nil {
		return nil, err
	}
	if err := s.cat.DeleteUser(ctx, s.actor(ctx), tenantID, req.GetId()); err != nil {
		return nil, statusOf(ctx, s.log, err, "user")
	}
	return &trollyv1.DeleteUserResponse{}, nil
}
