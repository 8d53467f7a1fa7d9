package sink

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of Policy.
const (
	DefaultDeadLetterAttempts = 10
	DefaultDeadLetterAge      = 15 * time.Minute
	DefaultUnreadyAfter       = time.Minute
)

// Policy says when a sink gives up on a tenant's batch and when it stops being ready.
// Sinks embed it in their config (yaml inline).
type Policy struct {
	// DeadLetterAttempts and DeadLetterAge: a batch whose writes failed this many times,
	// or for this long, goes to the dead letters with the last error as its reason, once
	// the sink has written something else since the batch first failed. Without that,
	// every tenant failing is an outage of the store, which is waited out rather than
	// turned into dead letters.
	DeadLetterAttempts int           `yaml:"dead_letter_attempts"`
	DeadLetterAge      time.Duration `yaml:"dead_letter_age"`
	// UnreadyAfter is how long every write may fail before the process reports not ready.
	UnreadyAfter time.Duration `yaml:"unready_after"`
}

// ApplyDefaults sets every zero field to its default.
func (p *Policy) ApplyDefaults() {
	if p.DeadLetterAttempts == 0 {
		p.DeadLetterAttempts = DefaultDeadLetterAttempts
	}
	if p.DeadLetterAge == 0 {
		p.DeadLetterAge = DefaultDeadLetterAge
	}
	if p.UnreadyAfter == 0 {
		p.UnreadyAfter = DefaultUnreadyAfter
	}
}

// Validate reports every invalid field, naming its key.
func (p Policy) Validate() error {
	var errs []error
	if p.DeadLetterAttempts < 1 {
		errs = append(errs, fmt.Errorf("dead_letter_attempts: must be > 0, got %d", p.DeadLetterAttempts))
	}
	if p.DeadLetterAge <= 0 {
		errs = append(errs, fmt.Errorf("dead_letter_age: must be > 0, got %s", p.DeadLetterAge))
	}
	if p.UnreadyAfter <= 0 {
		errs = append(errs, fmt.Errorf("unready_after: must be > 0, got %s", p.UnreadyAfter))
	}
	return errors.Join(errs...)
}
