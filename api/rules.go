package api

import v1 "github.com/trolly-logs/trolly/proto/trolly/v1"

// methodRules is who may call each RPC, in one table. An RPC missing here is refused
// (TestEveryMethodHasARule requires one for each). Tenant isolation is the handlers' part:
// a tenant's caller always acts in its own tenant.
func methodRules() map[string]rule {
	public := rule{public: true}
	operator := rule{operator: true}
	read := rule{tenant: accessRead}
	admin := rule{tenant: accessAdmin}
	operatorOrAdmin := rule{operator: true, tenant: accessAdmin}
	return map[string]rule{
		v1.AuthService_Login_FullMethodName:   public,
		v1.AuthService_Refresh_FullMethodName: public,
		v1.AuthService_Logout_FullMethodName:  public,
		v1.AuthService_WhoAmI_FullMethodName:  {anyone: true},

		v1.SearchService_Search_FullMethodName:     read,
		v1.SearchService_Count_FullMethodName:      read,
		v1.SearchService_Histogram_FullMethodName:  read,
		v1.SearchService_Facets_FullMethodName:     read,
		v1.SearchService_ListFields_FullMethodName: read,
		v1.SearchService_Export_FullMethodName:     read,
		v1.TailService_Tail_FullMethodName:         read,

		v1.PlanService_ListPlans_FullMethodName:  operator,
		v1.PlanService_CreatePlan_FullMethodName: operator,
		v1.PlanService_GetPlan_FullMethodName:    operator,
		v1.PlanService_UpdatePlan_FullMethodName: operator,
		v1.PlanService_DeletePlan_FullMethodName: operator,

		v1.TenantService_ListTenants_FullMethodName:  operator,
		v1.TenantService_CreateTenant_FullMethodName: operator,
		v1.TenantService_GetTenant_FullMethodName:    {operator: true, tenant: accessRead}, // a tenant reads its own
		v1.TenantService_UpdateTenant_FullMethodName: operator,
		v1.TenantService_DeleteTenant_FullMethodName: operator,

		v1.UserService_ListUsers_FullMethodName:  operatorOrAdmin,
		v1.UserService_CreateUser_FullMethodName: operatorOrAdmin,
		v1.UserService_GetUser_FullMethodName:    operatorOrAdmin,
		v1.UserService_UpdateUser_FullMethodName: operatorOrAdmin,
		v1.UserService_DeleteUser_FullMethodName: operatorOrAdmin,

		v1.StreamService_ListStreams_FullMethodName:  read,
		v1.StreamService_GetStream_FullMethodName:    read,
		v1.StreamService_CreateStream_FullMethodName: admin,
		v1.StreamService_UpdateStream_FullMethodName: admin,
		v1.StreamService_DeleteStream_FullMethodName: admin,

		v1.KeyService_ListKeys_FullMethodName:  admin,
		v1.KeyService_CreateKey_FullMethodName: admin,
		v1.KeyService_GetKey_FullMethodName:    admin,
		v1.KeyService_RevokeKey_FullMethodName: admin,

		v1.CertificateService_ListCertificates_FullMethodName:        admin,
		v1.CertificateService_IssueCertificate_FullMethodName:        admin,
		v1.CertificateService_GetCertificate_FullMethodName:          admin,
		v1.CertificateService_RevokeCertificate_FullMethodName:       admin,
		v1.CertificateService_GetCertificateAuthority_FullMethodName: admin,

		v1.AuditService_ListAuditEntries_FullMethodName: operatorOrAdmin,
	}
}
