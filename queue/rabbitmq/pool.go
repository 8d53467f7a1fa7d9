package rabbitmq

import (
	"fmt"
	"sync"

	amqp "github.com/rabbitmq/amqp091-go"
)

// maxCallMessages bounds the messages published on a channel before their confirms are
// awaited, so that the returns of unroutable ones always fit their buffer.
const maxCallMessages = 256

// maxIdleChannels bounds the publishing channels kept open between calls.
const maxIdleChannels = 16

// pubChannel is a channel in confirm mode, used by one call at a time so that the returns
// it receives belong to that call.
type pubChannel struct {
	ch      *amqp.Channel
	gen     uint64
	returns chan amqp.Return
	closes  chan *amqp.Error
}

// drainReturns counts the returned messages. The library hands a return over before the
// confirm of its message, so every return of a confirmed call is buffered by now. The
// library closes returns with the channel, which a broker going down right after the
// confirms does: then the buffered returns are all there is.
func (pc *pubChannel) drainReturns() int {
	n := 0
	for {
		select {
		case _, ok := <-pc.returns:
			if !ok {
				return n
			}
			n++
		default:
			return n
		}
	}
}

// closeErr says why the broker closed the channel: a refusal (an exchange deleted) or an
// outage.
func (pc *pubChannel) closeErr() error {
	select {
	case err := <-pc.closes:
		if err != nil {
			return fmt.Errorf("channel closed before the confirms: %w", classify(err))
		}
	default:
	}
	return fmt.Errorf("%w: channel closed before the confirms", ErrUnavailable)
}

// pool keeps publishing channels of the current connection.
type pool struct {
	link *link

	mu     sync.Mutex
	idle   []*pubChannel
	closed bool
}

func (p *pool) get() (*pubChannel, error) {
	conn, gen, err := p.link.current()
	if err == nil {
		err = p.link.publishable()
	}
	if err != nil {
		return nil, err
	}
	var stale []*pubChannel
	p.mu.Lock()
	for len(p.idle) > 0 {
		pc := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if pc.gen == gen && !pc.ch.IsClosed() {
			p.mu.Unlock()
			closeAll(stale)
			return pc, nil
		}
		stale = append(stale, pc)
	}
	p.mu.Unlock()
	closeAll(stale)

	ch, err := conn.Channel()
	if err != nil {
		return nil, classify(err)
	}
	if err := ch.Confirm(false); err != nil {
		_ = ch.Close()
		return nil, classify(err)
	}
	return &pubChannel{
		ch: ch, gen: gen,
		returns: ch.NotifyReturn(make(chan amqp.Return, maxCallMessages)),
		closes:  ch.NotifyClose(make(chan *amqp.Error, 1)),
	}, nil
}

// put keeps pc for the next call when reuse, and closes it otherwise: after a timeout its
// late confirms and returns would be taken for the next call's.
func (p *pool) put(pc *pubChannel, reuse bool) {
	p.mu.Lock()
	if reuse && !p.closed && len(p.idle) < maxIdleChannels && !pc.ch.IsClosed() {
		p.idle = append(p.idle, pc)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	_ = pc.ch.Close()
}

func (p *pool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	closeAll(idle)
}

func closeAll(pcs []*pubChannel) {
	for _, pc := range pcs {
		_ = pc.ch.Close()
	}
}
