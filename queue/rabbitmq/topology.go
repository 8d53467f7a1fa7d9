package rabbitmq

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Kinds of broker entities, as tracked for cleanup.
const (
	entityQueue    = "queue"
	entityExchange = "exchange"
)

// topology declares exchanges, queues and bindings on a channel of its own: the broker
// closes the channel of a refused declaration, and that must never be one that publishes
// or consumes.
type topology struct {
	open func() (*amqp.Channel, error)
	log  *slog.Logger
	// declared is told of every entity declared, for cleanup.
	declared func(kind, name string)

	mu sync.Mutex
	ch *amqp.Channel
}

func (tp *topology) do(f func(*amqp.Channel) error) error {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.ch == nil || tp.ch.IsClosed() {
		ch, err := tp.open()
		if err != nil {
			return classify(err)
		}
		tp.ch = ch
	}
	return classify(f(tp.ch))
}

func (tp *topology) close() {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.ch != nil {
		_ = tp.ch.Close()
		tp.ch = nil
	}
}

// exchange declares a durable exchange; one of another kind is an error, since it means
// that processes disagree on keyed_topics.
func (tp *topology) exchange(name, kind string) error {
	err := tp.do(func(ch *amqp.Channel) error {
		return ch.ExchangeDeclare(name, kind, true, false, false, false, nil)
	})
	if err != nil {
		return fmt.Errorf("declare exchange %s: %w", name, err)
	}
	tp.declared(entityExchange, name)
	return nil
}

// queue declares a durable queue. One that exists with other arguments (a limit changed
// since) is used as it is: the broker cannot change them, and an operator can with a
// policy or by deleting the queue once drained.
func (tp *topology) queue(name string, args amqp.Table) error {
	err := tp.do(func(ch *amqp.Channel) error {
		_, err := ch.QueueDeclare(name, true, false, false, false, args)
		return err
	})
	if code(err) == amqp.PreconditionFailed {
		tp.log.Warn("queue exists with other arguments; using it as it is", "queue", name, "err", err)
		exists, perr := tp.queueExists(name)
		if perr == nil && exists {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("declare queue %s: %w", name, err)
	}
	tp.declared(entityQueue, name)
	return nil
}

func (tp *topology) bind(queue, key, exchange string) error {
	err := tp.do(func(ch *amqp.Channel) error { return ch.QueueBind(queue, key, exchange, false, nil) })
	if err != nil {
		return fmt.Errorf("bind queue %s to %s: %w", queue, exchange, err)
	}
	return nil
}

func (tp *topology) queueExists(name string) (bool, error) {
	return tp.exists(func(ch *amqp.Channel) error {
		_, err := ch.QueueDeclarePassive(name, true, false, false, false, nil)
		return err
	})
}

func (tp *topology) exchangeExists(name string) (bool, error) {
	return tp.exists(func(ch *amqp.Channel) error {
		return ch.ExchangeDeclarePassive(name, "direct", true, false, false, false, nil)
	})
}

func (tp *topology) exists(passive func(*amqp.Channel) error) (bool, error) {
	err := tp.do(passive)
	if code(err) == amqp.NotFound {
		return false, nil
	}
	return err == nil, err
}

// classify marks every error but a refusal by the broker as ErrUnavailable: those may
// pass, a refusal will not.
func classify(err error) error {
	if err == nil {
		return nil
	}
	switch code(err) {
	case amqp.NotFound, amqp.AccessRefused, amqp.PreconditionFailed, amqp.ResourceLocked,
		amqp.NotImplemented, amqp.NotAllowed:
		return err
	}
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// code is the AMQP reply code of err, 0 for none.
func code(err error) int {
	var ae *amqp.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}
