package gateway

import (
	"context"
	"crypto/rand"
	"net/http"

	"github.com/oklog/ulid/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/trolly-logs/trolly/ingest"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/tenant"
)

// owner is the tenant a batch is stamped with: its id and its key when the credential was
// checked, so that the batch of a tenant deleted meanwhile never reaches its successor; and
// its plan's share of the backlog (0: the queue's).
type owner struct {
	id, key string
	backlog int64
}

func ownerOf(t tenant.Tenant) owner { return owner{t.ID, t.Key, t.Limits.MaxBacklogBytes} }

// publish wraps records in a raw batch for the owner's stream and publishes it, returning
// once the queue confirmed it. Nothing is published for no records.
func (g *Gateway) publish(ctx context.Context, o owner, st tenant.Stream, transport, remote string, recs []ingest.Record) *rejection {
	tenantID := o.id
	if len(recs) == 0 {
		return nil
	}
	now := g.now()
	id, err := ulid.New(ulid.Timestamp(now), rand.Reader)
	if err != nil {
		g.log.Error("make batch id", "err", err)
		return reject(http.StatusInternalServerError, "internal", "could not make a batch id")
	}
	b := &trollyv1.RawBatch{
		Id:         id.String(),
		TenantId:   tenantID,
		TenantKey:  o.key,
		Stream:     st.Name,
		SourceType: st.SourceType,
		ReceivedAt: timestamppb.New(now),
		Transport:  transport,
		RemoteAddr: remote,
		Records:    make([]*trollyv1.RawRecord, len(recs)),
	}
	for i, r := range recs {
		format := trollyv1.RecordFormat_RECORD_FORMAT_TEXT
		if r.JSON {
			format = trollyv1.RecordFormat_RECORD_FORMAT_JSON
		}
		b.Records[i] = &trollyv1.RawRecord{Data: r.Data, Format: format, Fields: r.Fields}
	}
	body, err := proto.Marshal(b)
	if err != nil {
		g.log.Error("marshal raw batch", "tenant", tenantID, "err", err)
		return reject(http.StatusInternalServerError, "internal", "could not encode the batch")
	}
	if rej := g.checkBacklog(len(body)); rej != nil {
		g.log.Warn("refuse raw batch: backlog over budget", "tenant", tenantID, "stream", st.Name, "records", len(recs))
		return rej
	}
	if rej := g.checkTenantBacklog(o, len(body)); rej != nil {
		g.log.Warn("refuse raw batch: the tenant's backlog over its budget", "tenant", tenantID, "stream", st.Name, "records", len(recs))
		return rej
	}
	msg := queue.Message{Key: tenantID + "/" + st.Name, Body: body}
	if err := g.q.Publish(ctx, queue.TopicRaw, msg); err != nil {
		g.log.Warn("publish raw batch", "tenant", tenantID, "stream", st.Name, "records", len(recs), "err", err)
		return g.fromPublish(err)
	}
	return nil
}
