package search

import "context"

// Publishing returns b, whose writes the hub also hands to the live tails once they are
// durable: the indexer writes through it, so a tail sees an event as soon as a search can.
// A redelivered batch is offered again, so a tail may show an event twice where search
// holds it once.
func Publishing(b Backend, h *Hub) Backend { return publishing{b, h} }

type publishing struct {
	Backend
	hub *Hub
}

func (p publishing) Write(ctx context.Context, index string, docs []Doc) error {
	if err := p.Backend.Write(ctx, index, docs); err != nil {
		return err
	}
	p.hub.Publish(index, docs)
	return nil
}
