package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/trolly-logs/trolly/tenant/pki"
)

func issueCert(fs *flag.FlagSet) func(context.Context, *adminEnv) error {
	tenantID := fs.String("tenant", "", "tenant id")
	name := fs.String("name", "", "certificate name (its subject common name)")
	expires := fs.Duration("expires", 0, "lifetime (0: a year; at most 825 days)")
	out := fs.String("out", "", "write PREFIX.crt, PREFIX.key (mode 0600) and PREFIX-ca.crt instead of printing the PEM")
	return func(ctx context.Context, c *adminEnv) error {
		if *out != "" {
			// Before issuing, so that a refusal leaves no certificate behind.
			for _, p := range []string{*out + ".key", *out + ".crt", *out + "-ca.crt"} {
				if _, err := os.Lstat(p); err == nil {
					return fmt.Errorf("%s exists: choose another --out", p)
				}
			}
		}
		tn, err := c.cat.GetTenant(ctx, *tenantID)
		if err != nil {
			return err
		}
		ca, err := pki.Ensure(ctx, c.cat, c.now())
		if err != nil {
			return err
		}
		var notAfter time.Time
		if *expires > 0 {
			notAfter = c.now().Add(*expires)
		}
		is, err := ca.Issue(tn, *name, c.now(), notAfter)
		if err != nil {
			return err
		}
		rec, err := c.cat.CreateCert(ctx, cliActor, is.Cert)
		if err != nil {
			return err
		}
		v := view(rec)
		if *out == "" {
			v["certificate_pem"], v["private_key_pem"], v["ca_pem"] = string(is.CertPEM), string(is.KeyPEM), string(ca.PEM())
			return printJSON(c.stdout, v)
		}
		files := []struct {
			field, path string
			data        []byte
			mode        os.FileMode
		}{
			{"private_key_file", *out + ".key", is.KeyPEM, 0o600},
			{"certificate_file", *out + ".crt", is.CertPEM, 0o644},
			{"ca_file", *out + "-ca.crt", ca.PEM(), 0o644},
		}
		for _, f := range files {
			// O_EXCL: never overwrite a key that may be in use.
			fh, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.mode)
			if err != nil {
				return fmt.Errorf("write certificate %s: %w", rec.ID, err)
			}
			_, err = fh.Write(f.data)
			if cerr := fh.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("write %s: %w", f.path, err)
			}
			v[f.field] = f.path
		}
		return printJSON(c.stdout, v)
	}
}

func revokeCert(fs *flag.FlagSet) func(context.Context, *adminEnv) error {
	tenantID := fs.String("tenant", "", "tenant id")
	id := fs.String("id", "", "certificate id")
	return func(ctx context.Context, c *adminEnv) error {
		if err := c.cat.RevokeCert(ctx, cliActor, *tenantID, *id); err != nil {
			return err
		}
		return printJSON(c.stdout, map[string]string{"revoked": *id})
	}
}
