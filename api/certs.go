package api

import (
	"context"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant/pki"
)

type certService struct {
	trollyv1.UnimplementedCertificateServiceServer
	*Server
}

// ListCertificates implements trollyv1.CertificateServiceServer within the caller's tenant.
func (s *certService) ListCertificates(ctx context.Context, req *trollyv1.ListCertificatesRequest) (*trollyv1.ListCertificatesResponse, error) {
	cs, next, err := s.cat.ListCerts(ctx, principalFrom(ctx).TenantID, page(req.GetPageSize(), req.GetPageToken()))
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "certificate")
	}
	out := &trollyv1.ListCertificatesResponse{Certificates: make([]*trollyv1.Certificate, len(cs)), NextPageToken: next}
	for i, c := range cs {
		out.Certificates[i] = certToProto(c)
	}
	return out, nil
}

// IssueCertificate implements trollyv1.CertificateServiceServer: the private key is
// answered here only, and kept nowhere. The authority is made on the first issue.
func (s *certService) IssueCertificate(ctx context.Context, req *trollyv1.IssueCertificateRequest) (*trollyv1.IssueCertificateResponse, error) {
	tn, err := s.cat.GetTenant(ctx, principalFrom(ctx).TenantID)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "tenant")
	}
	ca, err := pki.Ensure(ctx, s.cat, s.now())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "certificate authority")
	}
	is, err := ca.Issue(tn, req.GetName(), s.now(), timeOf(req.GetExpireTime()))
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "certificate")
	}
	c, err := s.cat.CreateCert(ctx, s.actor(ctx), is.Cert)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "certificate")
	}
	return &trollyv1.IssueCertificateResponse{Certificate: certToProto(c), CertificatePem: string(is.CertPEM),
		PrivateKeyPem: string(is.KeyPEM), CaPem: string(ca.PEM())}, nil
}

// GetCertificate implements trollyv1.CertificateServiceServer within the caller's tenant.
func (s *certService) GetCertificate(ctx context.Context, req *trollyv1.GetCertificateRequest) (*trollyv1.GetCertificateResponse, error) {
	c, err := s.cat.GetCert(ctx, principalFrom(ctx).TenantID, req.GetId())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "certificate")
	}
	return &trollyv1.GetCertificateResponse{Certificate: certToProto(c)}, nil
}

// RevokeCertificate implements trollyv1.CertificateServiceServer within the caller's tenant.
func (s *certService) RevokeCertificate(ctx context.Context, req *trollyv1.RevokeCertificateRequest) (*trollyv1.RevokeCertificateResponse, error) {
	tenantID := principalFrom(ctx).TenantID
	if err := s.cat.RevokeCert(ctx, s.actor(ctx), tenantID, req.GetId()); err != nil {
		return nil, statusOf(ctx, s.log, err, "certificate")
	}
	c, err := s.cat.GetCert(ctx, tenantID, req.GetId())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "certificate")
	}
	return &trollyv1.RevokeCertificateResponse{Certificate: certToProto(c)}, nil
}

// GetCertificateAuthority implements trollyv1.CertificateServiceServer; the authority is
// every tenant's, and its certificate public.
func (s *certService) GetCertificateAuthority(ctx context.Context, _ *trollyv1.GetCertificateAuthorityRequest) (*trollyv1.GetCertificateAuthorityResponse, error) {
	ca, err := pki.Ensure(ctx, s.cat, s.now())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "certificate authority")
	}
	return &trollyv1.GetCertificateAuthorityResponse{CaPem: string(ca.PEM())}, nil
}
