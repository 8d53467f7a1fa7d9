package loki

import (
	"errors"
	"math"

	"github.com/klauspost/compress/snappy"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/trolly-logs/trolly/ingest"
)

// Field numbers of grafana/loki's pkg/push/push.proto and google.protobuf.Timestamp.
const (
	fieldPushStreams    = 1 // PushRequest.streams
	fieldStreamLabels   = 1 // StreamAdapter.labels
	fieldStreamEntries  = 2 // StreamAdapter.entries
	fieldEntryTimestamp = 1 // EntryAdapter.timestamp
	fieldEntryLine      = 2 // EntryAdapter.line
	fieldEntryMetadata  = 3 // EntryAdapter.structuredMetadata
	fieldPairName       = 1 // LabelPairAdapter.name
	fieldPairValue      = 2 // LabelPairAdapter.value
	fieldSeconds        = 1 // Timestamp.seconds
	fieldNanos          = 2 // Timestamp.nanos
)

var errWireType = errors.New("unexpected wire type")

// DecodeProto decodes a snappy block-compressed PushRequest. The records' lines share the
// memory of one buffer the body is decoded into.
func DecodeProto(body []byte, lim Limits) (*Request, error) {
	n, err := snappy.DecodedLen(body)
	if err != nil {
		return nil, ingest.Errorf(ingest.Invalid, 0, "decode snappy: %v", err)
	}
	if lim.MaxBodyBytes > 0 && n > lim.MaxBodyBytes {
		return nil, ingest.Errorf(ingest.TooLarge, 0, "the body is %d bytes once snappy-decoded, over the limit of %d bytes", n, lim.MaxBodyBytes)
	}
	buf, err := snappy.Decode(make([]byte, n), body)
	if err != nil {
		return nil, ingest.Errorf(ingest.Invalid, 0, "decode snappy: %v", err)
	}
	b := builder{lim: lim}
	pos := 0
	err = fields(buf, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != fieldPushStreams {
			return nil
		}
		if typ != protowire.BytesType {
			return protoError(0, 0, "PushRequest.streams", errWireType)
		}
		pos++
		return b.protoStream(pos, v)
	})
	if err != nil {
		return nil, protoError(0, 0, "PushRequest", err)
	}
	return b.finish(), nil
}

// protoStream adds one StreamAdapter. Its labels may follow its entries on the wire.
func (b *builder) protoStream(pos int, msg []byte) error {
	labels := ""
	err := fields(msg, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != fieldStreamLabels {
			return nil
		}
		if typ != protowire.BytesType {
			return protoError(pos, 0, "StreamAdapter.labels", errWireType)
		}
		labels = string(v)
		return nil
	})
	if err != nil {
		return protoError(pos, 0, "StreamAdapter", err)
	}
	ls, err := ParseLabels(labels)
	if err != nil {
		return invalid(pos, 0, "error parsing labels %q with error: %v", labels, err)
	}
	if err := b.stream(pos, ls); err != nil {
		return err
	}
	n := 0
	var md []Label
	err = fields(msg, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != fieldStreamEntries {
			return nil
		}
		if typ != protowire.BytesType {
			return protoError(pos, 0, "StreamAdapter.entries", errWireType)
		}
		n++
		var ts int64
		var line []byte
		var err error
		if ts, line, md, err = protoEntry(v, md[:0]); err != nil {
			return protoError(pos, n, "EntryAdapter", err)
		}
		return b.entry(pos, n, ts, line, md)
	})
	return protoError(pos, 0, "StreamAdapter", err)
}

// protoEntry reads an EntryAdapter, appending its structured metadata to md.
func protoEntry(msg []byte, md []Label) (int64, []byte, []Label, error) {
	var ts int64
	var line []byte
	hasTS := false
	err := fields(msg, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num < fieldEntryTimestamp || num > fieldEntryMetadata {
			return nil
		}
		if typ != protowire.BytesType {
			return errWireType
		}
		var err error
		switch num {
		case fieldEntryTimestamp:
			ts, err = protoTime(v)
			hasTS = true
		case fieldEntryLine:
			line = v
		case fieldEntryMetadata:
			var l Label
			l, err = protoPair(v)
			md = append(md, l)
		}
		return err
	})
	if err == nil && !hasTS {
		err = errors.New("the entry has no timestamp")
	}
	return ts, line, md, err
}

// protoTime reads a google.protobuf.Timestamp into Unix nanoseconds, which must fit.
func protoTime(msg []byte) (int64, error) {
	var sec, nanos int64
	err := fields(msg, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != fieldSeconds && num != fieldNanos {
			return nil
		}
		if typ != protowire.VarintType {
			return errWireType
		}
		x, _ := protowire.ConsumeVarint(v)
		if num == fieldSeconds {
			sec = int64(x)
		} else {
			nanos = int64(int32(x))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if nanos < 0 || nanos >= 1e9 {
		return 0, errors.New("timestamp nanos out of range")
	}
	const minSec, maxSec, maxNanos = math.MinInt64 / int64(1e9), math.MaxInt64 / int64(1e9), math.MaxInt64 % int64(1e9)
	if sec < minSec || sec > maxSec || sec == maxSec && nanos > maxNanos {
		return 0, errors.New("timestamp out of range (years 1678 to 2262)")
	}
	return sec*1e9 + nanos, nil
}

func protoPair(msg []byte) (Label, error) {
	var l Label
	err := fields(msg, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != fieldPairName && num != fieldPairValue {
			return nil
		}
		if typ != protowire.BytesType {
			return errWireType
		}
		if num == fieldPairName {
			l.Name = string(v)
		} else {
			l.Value = string(v)
		}
		return nil
	})
	return l, err
}

// fields calls fn with each field of msg: for varints the varint's bytes, for bytes the
// content. Unknown fields are skipped by the caller ignoring them.
func fields(msg []byte, fn func(protowire.Number, protowire.Type, []byte) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		var v []byte
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(msg)
		default:
			n = protowire.ConsumeFieldValue(num, typ, msg)
			if n >= 0 {
				v = msg[:n]
			}
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		if err := fn(num, typ, v); err != nil {
			return err
		}
	}
	return nil
}

// protoError makes err, found in what, an Invalid error unless it already is an *ingest.Error.
func protoError(pos, n int, what string, err error) error {
	if err == nil {
		return nil
	}
	var ie *ingest.Error
	if errors.As(err, &ie) {
		return err
	}
	return invalid(pos, n, "decode %s: %v", what, err)
}
