package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trolly-logs/trolly/processor"
	"github.com/trolly-logs/trolly/tenant"
)

const adminUsage = `usage: trolly admin <resource> <verb> [--config FILE] [flags]

Manages the catalog directly, for bootstrapping and for shells; every change is audited as
made by the command line. Output is JSON, one object per line.

  plans list
  plans create  --id ID --name NAME [--ingest-bytes-per-second N] [--ingest-burst-bytes N]
                [--max-line-bytes N] [--max-streams N] [--max-query-range DUR]
                [--max-concurrent-queries N] [--query-timeout DUR] [--queue-max-bytes N] [--search-days N] [--archive-days N]
  tenants list
  tenants create --id ID --name NAME --plan PLAN
  tenants delete --id ID
  users list    [--tenant ID]          (no --tenant: the operators)
  users create  [--tenant ID] --email EMAIL --role operator|admin|member [--name NAME]
                (the password is read from stdin, or made and printed when stdin is empty)
  streams list  --tenant ID
  streams create --tenant ID --name NAME --source-type TYPE
  keys list     --tenant ID
  keys create   --tenant ID --name NAME --scopes ingest,read,admin [--expires DUR]
                (prints the secret once)
  keys revoke   --tenant ID --id KEY_ID
  certs list    --tenant ID
  certs issue   --tenant ID --name NAME [--expires DUR] [--out PREFIX]
                (syslog TLS client certificate; writes PREFIX.crt, PREFIX.key and PREFIX-ca.crt,
                 or prints the PEM, the key once)
  certs revoke  --tenant ID --id CERT_ID
`

// adminCommand is one verb of `trolly admin`: its flags, and what it does with them.
type adminCommand struct {
	flags func(fs *flag.FlagSet) func(ctx context.Context, c *adminEnv) error
}

// adminEnv is what a verb works with.
type adminEnv struct {
	cat    tenant.Catalog
	stdin  io.Reader
	stdout io.Writer
	now    func() time.Time
}

var cliActor = tenant.Actor{Kind: "cli", Name: "trolly admin"}

func admin(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprint(stderr, adminUsage)
		return exitUsage
	}
	cmd, ok := adminCommands[args[0]+" "+args[1]]
	if !ok {
		fmt.Fprintf(stderr, "trolly admin: unknown command %q\n\n%s", args[0]+" "+args[1], adminUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("trolly admin "+args[0]+" "+args[1], flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "YAML configuration")
	do := cmd.flags(fs)
	if err := fs.Parse(args[2:]); err != nil || fs.NArg() > 0 {
		fmt.Fprint(stderr, adminUsage)
		return exitUsage
	}
	cfg, err := loadConfig(*configPath, "", environ)
	if err != nil {
		fmt.Fprintf(stderr, "trolly: %v\n", err)
		return exitUsage
	}
	cat, err := openCatalog(ctx, cfg.Metadata)
	if err != nil {
		fmt.Fprintf(stderr, "trolly admin: %v\n", err)
		return exitFailure
	}
	defer cat.Close()
	if err := do(ctx, &adminEnv{cat: cat, stdin: stdin, stdout: stdout, now: time.Now}); err != nil {
		fmt.Fprintf(stderr, "trolly admin: %v\n", err)
		if errors.Is(err, tenant.ErrInvalid) {
			return exitUsage
		}
		return exitFailure
	}
	return exitOK
}

var adminCommands = map[string]adminCommand{
	"plans list": {listOf(func(ctx context.Context, c *adminEnv, _ string, p tenant.Page) ([]tenant.Plan, string, error) {
		return c.cat.ListPlans(ctx, p)
	}, false)},
	"plans create": {createPlan},
	"tenants list": {listOf(func(ctx context.Context, c *adminEnv, _ string, p tenant.Page) ([]tenant.Tenant, string, error) {
		return c.cat.ListTenants(ctx, p)
	}, false)},
	"tenants create": {createTenant},
	"tenants delete": {deleteTenant},
	"users list": {listOf(func(ctx context.Context, c *adminEnv, t string, p tenant.Page) ([]tenant.User, string, error) {
		return c.cat.ListUsers(ctx, t, p)
	}, true)},
	"users create": {createUser},
	"streams list": {listOf(func(ctx context.Context, c *adminEnv, t string, p tenant.Page) ([]tenant.Stream, string, error) {
		return c.cat.ListStreams(ctx, t, p)
	}, true)},
	"streams create": {createStream},
	"keys list": {listOf(func(ctx context.Context, c *adminEnv, t string, p tenant.Page) ([]tenant.APIKey, string, error) {
		return c.cat.ListKeys(ctx, t, p)
	}, true)},
	"keys create": {createKey},
	"keys revoke": {revokeKey},
	"certs list": {listOf(func(ctx context.Context, c *adminEnv, t string, p tenant.Page) ([]tenant.ClientCert, string, error) {
		return c.cat.ListCerts(ctx, t, p)
	}, true)},
	"certs issue":  {issueCert},
	"certs revoke": {revokeCert},
}

// listOf prints every item of a list, one JSON line each.
func listOf[T any](list func(context.Context, *adminEnv, string, tenant.Page) ([]T, string, error), tenanted bool) func(*flag.FlagSet) func(context.Context, *adminEnv) error {
	return func(fs *flag.FlagSet) func(context.Context, *adminEnv) error {
		var tenantID *string
		if tenanted {
			tenantID = fs.String("tenant", "", "tenant id")
		}
		return func(ctx context.Context, c *adminEnv) error {
			t := ""
			if tenantID != nil {
				t = *tenantID
			}
			p := tenant.Page{Size: 1000}
			for {
				items, next, err := list(ctx, c, t, p)
				if err != nil {
					return err
				}
				for _, it := range items {
					if err := printJSON(c.stdout, view(it)); err != nil {
						return err
					}
				}
				if next == "" {
					return nil
				}
				p.Token = next
			}
		}
	}
}

func createPlan(fs *flag.FlagSet) func(context.Context, *adminEnv) error {
	var p tenant.Plan
	fs.StringVar(&p.ID, "id", "", "plan id")
	fs.StringVar(&p.Name, "name", "", "plan name")
	l := &p.Limits
	fs.Int64Var(&l.IngestBytesPerSecond, "ingest-bytes-per-second", 0, "")
	fs.Int64Var(&l.IngestBurstBytes, "ingest-burst-bytes", 0, "")
	fs.Int64Var(&l.MaxLineBytes, "max-line-bytes", 0, "")
	fs.IntVar(&l.MaxStreams, "max-streams", 0, "")
	fs.DurationVar(&l.MaxQueryRange, "max-query-range", 0, "")
	fs.IntVar(&l.MaxConcurrentQueries, "max-concurrent-queries", 0, "")
	fs.DurationVar(&l.QueryTimeout, "query-timeout", 0, "")
	fs.Int64Var(&l.QueueMaxBytes, "queue-max-bytes", 0, "")
	fs.Int64Var(&l.MaxBacklogBytes, "max-backlog-bytes", 0, "")
	fs.IntVar(&p.Retention.SearchDays, "search-days", 0, "")
	fs.IntVar(&p.Retention.ArchiveDays, "archive-days", 0, "")
	return func(ctx context.Context, c *adminEnv) error {
		out, err := c.cat.CreatePlan(ctx, cliActor, p)
		if err != nil {
			return err
		}
		return printJSON(c.stdout, view(out))
	}
}

func createTenant(fs *flag.FlagSet) func(context.Context, *adminEnv) error {
	var t tenant.Tenant
	fs.StringVar(&t.ID, "id", "", "tenant id")
	fs.StringVar(&t.Name, "name", "", "tenant name")
	fs.StringVar(&t.PlanID, "plan", "", "plan id")
	return func(ctx context.Context, c *adminEnv) error {
		out, err := c.cat.CreateTenant(ctx, cliActor, t)
		if err != nil {
			return err
		}
		return printJSON(c.stdout, view(out))
	}
}

func deleteTenant(fs *flag.FlagSet) func(context.Context, *adminEnv) error {
	id := fs.String("id", "", "tenant id")
	return func(ctx context.Context, c *adminEnv) error {
		if err := c.cat.DeleteTenant(ctx, cliActor, *id); err != nil {
			return err
		}
		return printJSON(c.stdout, map[string]string{"deleted": *id})
	}
}

func createUser(fs *flag.FlagSet) func(context.Context, *adminEnv) error {
	var u tenant.User
	fs.StringVar(&u.TenantID, "tenant", "", "tenant id (none for an operator)")
	fs.StringVar(&u.Email, "email", "", "email address")
	fs.StringVar(&u.Name, "name", "", "name")
	role := fs.String("role", "", "operator, admin or member")
	return func(ctx context.Context, c *adminEnv) error {
		u.Role = tenant.Role(*role)
		password, made, err := readPassword(c.stdin)
		if err != nil {
			return err
		}
		u.PasswordHash = tenant.HashPassword(password, tenant.DefaultPasswordParams)
		out, err := c.cat.CreateUser(ctx, cliActor, u)
		if err != nil {
			return err
		}
		v := view(out)
		if made {
			v["password"] = password
		}
		return printJSON(c.stdout, v)
	}
}

// readPassword reads a password from stdin's first line, or makes one when stdin is empty.
func readPassword(stdin io.Reader) (password string, made bool, err error) {
	b, err := io.ReadAll(io.LimitReader(stdin, 1024))
	if err != nil {
		return "", false, fmt.Errorf("read the password from stdin: %w", err)
	}
	password, _, _ = strings.Cut(string(b), "\n")
	password = strings.TrimSuffix(password, "\r")
	if password == "" {
		return tenant.NewPassword(), true, nil
	}
	return password, false, tenant.ValidPassword(password)
}

func createStream(fs *flag.FlagSet) func(context.Context, *adminEnv) error {
	var s tenant.Stream
	fs.StringVar(&s.TenantID, "tenant", "", "tenant id")
	fs.StringVar(&s.Name, "name", "", "stream name")
	fs.StringVar(&s.SourceType, "source-type", "", "source type")
	parser := fs.String("parser", "", "parser settings, a JSON object (patterns, timezone, multiline, pipeline)")
	return func(ctx context.Context, c *adminEnv) error {
		if *parser != "" {
			s.Parser = json.RawMessage(*parser)
		}
		if err := processor.ValidateStream(s.SourceType, s.Parser); err != nil {
			return fmt.Errorf("%w: %w", err, tenant.ErrInvalid)
		}
		out, err := c.cat.CreateStream(ctx, cliActor, s)
		if err != nil {
			return err
		}
		return printJSON(c.stdout, view(out))
	}
}

func createKey(fs *flag.FlagSet) func(context.Context, *adminEnv) error {
	var k tenant.APIKey
	fs.StringVar(&k.TenantID, "tenant", "", "tenant id")
	fs.StringVar(&k.Name, "name", "", "key name")
	scopes := fs.String("scopes", "", "comma-separated: ingest, read, admin")
	expires := fs.Duration("expires", 0, "lifetime (0: never expires)")
	return func(ctx context.Context, c *adminEnv) error {
		for _, s := range strings.Split(*scopes, ",") {
			if s = strings.TrimSpace(s); s != "" {
				k.Scopes = append(k.Scopes, tenant.Scope(s))
			}
		}
		if *expires > 0 {
			k.ExpiresAt = c.now().Add(*expires)
		}
		var secret string
		k.ID, secret = tenant.NewKeySecret()
		k.Hash = tenant.HashKey(secret)
		out, err := c.cat.CreateKey(ctx, cliActor, k)
		if err != nil {
			return err
		}
		v := view(out)
		v["secret"] = secret
		return printJSON(c.stdout, v)
	}
}

func revokeKey(fs *flag.FlagSet) func(context.Context, *adminEnv) error {
	tenantID := fs.String("tenant", "", "tenant id")
	id := fs.String("id", "", "key id")
	return func(ctx context.Context, c *adminEnv) error {
		if err := c.cat.RevokeKey(ctx, cliActor, *tenantID, *id); err != nil {
			return err
		}
		return printJSON(c.stdout, map[string]string{"revoked": *id})
	}
}

func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
