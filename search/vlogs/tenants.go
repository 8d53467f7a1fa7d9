package vlogs

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/VictoriaMetrics/VictoriaLogs/lib/logstorage"
)

// tenantsFile maps tenant keys to the engine's numeric tenant ids. It lives beside the
// storages it labels: an id is never given twice, and a dropped tenant's id is retired,
// so that its events, deleted in the background, are fenced off at once.
const tenantsFile = "tenants.json"

type tenantEntry struct {
	ID uint32 `json:"id"`
	// Classes are the retention classes (days) whose storage holds events of the tenant.
	Classes []int `json:"classes"`
}

type tenantState struct {
	// Next is the id the next new key gets; ids start at 1.
	Next uint32                 `json:"next"`
	Keys map[string]tenantEntry `json:"keys"`
}

// tenantMap is the persisted tenantState; its methods are safe for concurrent use.
type tenantMap struct {
	path string
	mu   sync.Mutex
	st   tenantState
}

func openTenantMap(dir string) (*tenantMap, error) {
	m := &tenantMap{path: filepath.Join(dir, tenantsFile), st: tenantState{Next: 1, Keys: map[string]tenantEntry{}}}
	b, err := os.ReadFile(m.path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &m.st); err != nil {
		return nil, fmt.Errorf("%s: %w", m.path, err)
	}
	if m.st.Keys == nil {
		m.st.Keys = map[string]tenantEntry{}
	}
	return m, nil
}

// lookup returns the id of key and the classes holding its events; ok is false for a key
// never written (or dropped since).
func (m *tenantMap) lookup(key string) (logstorage.TenantID, []int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.st.Keys[key]
	return logstorage.TenantID{AccountID: e.ID}, slices.Clone(e.Classes), ok
}

// forWrite returns the id of key, giving it one when it has none, and records that class
// holds its events; the file is saved before the id is used.
func (m *tenantMap) forWrite(key string, class int) (logstorage.TenantID, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.st.Keys[key]
	if ok && slices.Contains(e.Classes, class) {
		return logstorage.TenantID{AccountID: e.ID}, nil
	}
	next := m.st.Next
	if !ok {
		if next == 0 {
			return logstorage.TenantID{}, errors.New("tenant ids exhausted")
		}
		e = tenantEntry{ID: next}
		next++
	}
	e.Classes = append(slices.Clone(e.Classes), class)
	slices.Sort(e.Classes)
	st := tenantState{Next: next, Keys: maps.Clone(m.st.Keys)}
	st.Keys[key] = e
	if err := m.save(st); err != nil {
		return logstorage.TenantID{}, err
	}
	m.st = st
	return logstorage.TenantID{AccountID: e.ID}, nil
}

// retire forgets key, returning its id and classes: a later write gets a new id.
func (m *tenantMap) retire(key string) (logstorage.TenantID, []int, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.st.Keys[key]
	if !ok {
		return logstorage.TenantID{}, nil, false, nil
	}
	st := tenantState{Next: m.st.Next, Keys: maps.Clone(m.st.Keys)}
	delete(st.Keys, key)
	if err := m.save(st); err != nil {
		return logstorage.TenantID{}, nil, false, err
	}
	m.st = st
	return logstorage.TenantID{AccountID: e.ID}, e.Classes, true, nil
}

// save writes st durably: a temporary file, synced, renamed over the old one, and the
// directory synced.
func (m *tenantMap) save(st tenantState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := m.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, m.path)
	}
	if err != nil {
		return fmt.Errorf("save %s: %w", m.path, err)
	}
	d, err := os.Open(filepath.Dir(m.path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
