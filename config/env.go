package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// EnvPrefix starts every environment variable that overrides a configuration key.
const EnvPrefix = "TROLLY_"

// ApplyEnv overrides keys from environ ("KEY=value" pairs, as os.Environ returns): the
// variable of a key is TROLLY_ and its path in capitals, dots as underscores
// (gateway.max_body_bytes is TROLLY_GATEWAY_MAX_BODY_BYTES). A list of strings is written
// comma-separated; other lists (tenants) cannot be set this way. A TROLLY_ variable that
// names no key is an error, as a mistyped key is in YAML.
func (c *Config) ApplyEnv(environ []string) error {
	fields := map[string]reflect.Value{}
	collectEnv(reflect.ValueOf(c).Elem(), "", fields)
	var errs []string
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		f, ok := fields[strings.TrimPrefix(name, EnvPrefix)]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: names no configuration key", name))
			continue
		}
		if err := setScalar(f, value); err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", name, err))
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("environment: %s", strings.Join(errs, "; "))
	}
	return nil
}

// EnvNames lists every variable ApplyEnv knows, for documentation and tests.
func EnvNames() []string {
	fields := map[string]reflect.Value{}
	collectEnv(reflect.ValueOf(&Config{}).Elem(), "", fields)
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, EnvPrefix+n)
	}
	sort.Strings(names)
	return names
}

func collectEnv(v reflect.Value, prefix string, out map[string]reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if opts == "inline" && sf.Type.Kind() == reflect.Struct && sf.IsExported() {
			collectEnv(v.Field(i), prefix, out) // its keys are the parent's, as in YAML
			continue
		}
		if tag == "" || tag == "-" || !sf.IsExported() {
			continue
		}
		name := prefix + strings.ToUpper(tag)
		switch fv := v.Field(i); fv.Kind() {
		case reflect.Struct:
			collectEnv(fv, name+"_", out)
		case reflect.Slice:
			if fv.Type().Elem().Kind() == reflect.String {
				out[name] = fv
			}
		case reflect.Pointer:
			if k := fv.Type().Elem().Kind(); k != reflect.Struct && k != reflect.Slice && k != reflect.Map {
				out[name] = fv // an optional scalar
			}
		case reflect.Map, reflect.Interface:
			// maps and lists of structures come from the file only
		default:
			out[name] = fv
		}
	}
}

// setScalar parses value as YAML would for the field, so durations and sizes read alike.
func setScalar(f reflect.Value, value string) error {
	switch f.Kind() {
	case reflect.String:
		f.SetString(value)
		return nil
	case reflect.Slice:
		var items []string
		for _, s := range strings.Split(value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		list := reflect.MakeSlice(f.Type(), len(items), len(items))
		for i, s := range items {
			list.Index(i).SetString(s)
		}
		f.Set(list)
		return nil
	case reflect.Pointer:
		v := reflect.New(f.Type().Elem())
		if err := setScalar(v.Elem(), value); err != nil {
			return err
		}
		f.Set(v)
		return nil
	}
	p := reflect.New(f.Type())
	if err := yaml.Unmarshal([]byte(value), p.Interface()); err != nil {
		return fmt.Errorf("%q is not a valid %s", value, f.Type())
	}
	f.Set(p.Elem())
	return nil
}
