package syslog

import (
	"bytes"
	"time"

	"github.com/trolly-logs/trolly/internal/syslog"
)

// Names in the structured data that authenticate a message:
// [auth@32473 token="..." stream="..."]. Senders also write the SD-ID without the
// enterprise number, [auth token="..."], and any auth@<number> is taken alike.
const (
	AuthID      = "auth@32473"
	TokenParam  = "token"
	StreamParam = "stream"
)

// Auth is what a message says about its sender and where it goes.
type Auth struct {
	// Token is the first token parameter of the message's auth elements, as written
	// (Trolly's tokens need no escapes); nil without one.
	Token []byte
	// Stream is the first stream parameter of the auth elements, as written; nil without
	// one. A sender authenticated otherwise (a client certificate) may send it alone.
	Stream []byte
	// AppName is the RFC 5424 APP-NAME or the RFC 3164 tag; nil without one.
	AppName []byte

	sd    []byte // the structured data, when it holds an auth element
	sdOff int    // where sd starts in the message
}

// Hint returns the stream the message asks for, which the gateway maps to one of the
// tenant's streams: the auth element's stream parameter, else the app name, else nil.
func (a *Auth) Hint() []byte {
	if a.Stream != nil {
		return a.Stream
	}
	return a.AppName
}

// AppendData appends msg, the message Auth was read from, without its auth elements, so
// that the token never reaches the tenant's events. The other elements stay as written;
// structured data left empty becomes RFC 5424's "-". A message without an auth element
// is appended unchanged.
func (a *Auth) AppendData(dst, msg []byte) []byte {
	if a.sd == nil {
		return append(dst, msg...)
	}
	dst = append(dst, msg[:a.sdOff]...)
	kept := false
	for sd := a.sd; len(sd) > 0; {
		n := elementLen(sd)
		if !isAuthID(elementID(sd[:n])) {
			dst = append(dst, sd[:n]...)
			kept = true
		}
		sd = sd[n:]
	}
	if !kept {
		dst = append(dst, '-')
	}
	return append(dst, msg[a.sdOff+len(a.sd):]...)
}

// AuthReader reads the Auth of messages. It keeps a parsed message between calls, so
// that reading does not allocate, and is not safe for concurrent use.
type AuthReader struct {
	m syslog.Message
}

// Read returns the Auth of msg, whose slices point into msg.
func (ar *AuthReader) Read(msg []byte) Auth {
	// The time is not needed here: any location and reference will do.
	_ = syslog.Parse(msg, &ar.m, time.UTC, 0)
	a := Auth{AppName: ar.m.AppName}
	found := false
	for _, e := range ar.m.Elements {
		if !isAuthID(e.ID) {
			continue
		}
		found = true
		for _, p := range e.Params {
			switch {
			case a.Token == nil && len(p.Value) > 0 && string(p.Name) == TokenParam:
				a.Token = p.Value
			case a.Stream == nil && len(p.Value) > 0 && string(p.Name) == StreamParam:
				a.Stream = p.Value
			}
		}
	}
	if found {
		a.sd, a.sdOff = ar.m.StructuredData, offset(msg, ar.m.StructuredData)
		if a.sdOff < 0 {
			a.sd = nil
		}
	}
	return a
}

// offset returns where sub, a slice of msg, starts in it, or -1.
func offset(msg, sub []byte) int {
	off := cap(msg) - cap(sub)
	if len(sub) == 0 || off < 0 || off+len(sub) > len(msg) || &msg[off] != &sub[0] {
		return -1
	}
	return off
}

func isAuthID(id []byte) bool {
	return bytes.Equal(id, []byte("auth")) || bytes.HasPrefix(id, []byte("auth@"))
}

// elementLen returns the length of the SD-ELEMENT that starts sd, which the parser has
// found well formed: up to the first ']' outside a quoted value.
func elementLen(sd []byte) int {
	quoted := false
	for i := 1; i < len(sd); i++ {
		switch c := sd[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == ']':
			return i + 1
		}
	}
	return len(sd)
}

// elementID returns the SD-ID of an element: what follows '[' up to a space or ']'.
func elementID(el []byte) []byte {
	id := el[1:]
	if i := bytes.IndexAny(id, " ]"); i >= 0 {
		id = id[:i]
	}
	return id
}
