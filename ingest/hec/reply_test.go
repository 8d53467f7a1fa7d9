package hec

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

func TestReplies(t *testing.T) {
	_, eventErr := DecodeEvents([]byte(`{"event":"a"}{"event":""}`), Params{}, Limits{})
	_, tooMany := DecodeEvents([]byte(`{"event":"a"}{"event":"b"}`), Params{}, Limits{MaxRecords: 1})
	tests := []struct {
		name   string
		reply  Reply
		status int
		body   string
	}{
		{"success", ReplyOf(Success), 200, `{"text":"Success","code":0}`},
		{"healthy", ReplyOf(Healthy), 200, `{"text":"HEC is healthy","code":17}`},
		{"unhealthy", ReplyOf(Unhealthy), 503, `{"text":"HEC is unhealthy, queues are full","code":18}`},
		{"busy", ReplyOf(ServerBusy), 503, `{"text":"Server is busy","code":9}`},
		{"token required", ReplyOf(TokenRequired), 401, `{"text":"Token is required","code":2}`},
		{"invalid authorization", ReplyOf(InvalidAuthorization), 401, `{"text":"Invalid authorization","code":3}`},
		{"invalid token", ReplyOf(InvalidToken), 403, `{"text":"Invalid token","code":4}`},
		{"disabled token", ReplyOf(TokenDisabled), 403, `{"text":"Token disabled","code":1}`},
		{"incorrect index", ReplyOf(IncorrectIndex), 400, `{"text":"Incorrect index","code":7}`},
		{"ack disabled", ReplyOf(AckDisabled), 400, `{"text":"ACK is disabled","code":14}`},
		{"query auth", ReplyOf(QueryAuthDisabled), 400, `{"text":"Query string authorization is not enabled","code":16}`},
		{"unknown code", ReplyOf(Code(99)), 500, `{"text":"Internal server error","code":99}`},
		{"blank event", ReplyFor(eventErr), 400,
			`{"text":"Event field cannot be blank","code":13,"invalid-event-number":1,"detail":"line 1: event 1 (byte 22): \"event\" is blank"}`},
		{"too many", ReplyFor(tooMany), 413,
			`{"text":"Invalid data format","code":6,"invalid-event-number":1,"detail":"line 1: event 1 (byte 13): over the limit of 1 events per request"}`},
		{"bare ingest error", ReplyFor(ingest.Errorf(ingest.TooLarge, 3, "big")), 413, `{"text":"Invalid data format","code":6,"detail":"line 3: big"}`},
		{"other error", ReplyFor(errors.New("boom")), 400, `{"text":"Invalid data format","code":6,"detail":"boom"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tt.reply.Write(w, 0)
			require.Equal(t, tt.status, w.Code)
			require.JSONEq(t, tt.body, w.Body.String())
			require.Equal(t, "application/json; charset=UTF-8", w.Header().Get("Content-Type"))
			require.Empty(t, w.Header().Get("Retry-After"))
		})
	}
}

func TestReplyRetryAfter(t *testing.T) {
	w := httptest.NewRecorder()
	ReplyOf(ServerBusy).Write(w, 1500*time.Millisecond)
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "2", w.Header().Get("Retry-After"))
}

func TestParseParams(t *testing.T) {
	q := url.Values{"channel": {"q"}, "host": {"h"}, "source": {"s"}, "sourcetype": {"st"}, "index": {"i"}}
	require.Equal(t, Params{Channel: "q", Host: "h", Source: "s", Sourcetype: "st", Index: "i"}, ParseParams(http.Header{}, q))
	h := http.Header{"X-Splunk-Request-Channel": {"hdr"}}
	require.Equal(t, Params{Channel: "hdr", Host: "h", Source: "s", Sourcetype: "st", Index: "i"}, ParseParams(h, q))
}

func TestToken(t *testing.T) {
	tests := []struct {
		name  string
		auth  string
		query string
		token string
		code  Code
	}{
		{"splunk scheme", "Splunk 0b5f-11", "", "0b5f-11", Success},
		{"scheme case", "splunk  0b5f-11 ", "", "0b5f-11", Success},
		{"basic password", "Basic eDowYjVmLTEx", "", "0b5f-11", Success}, // x:0b5f-11
		{"basic without password", "Basic eDo=", "", "", InvalidAuthorization},
		{"basic not base64", "Basic !!", "", "", InvalidAuthorization},
		{"bearer", "Bearer 0b5f-11", "", "", InvalidAuthorization},
		{"bare token", "0b5f-11", "", "", InvalidAuthorization},
		{"scheme only", "Splunk", "", "", InvalidAuthorization},
		{"none", "", "", "", TokenRequired},
		{"query refused", "", "token=0b5f-11", "", QueryAuthDisabled},
		{"query empty", "", "token=", "", QueryAuthDisabled},
		{"header wins", "Splunk a", "token=b", "a", Success},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.auth != "" {
				h.Set("Authorization", tt.auth)
			}
			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			tok, code := Token(h, q)
			require.Equal(t, tt.code, code)
			require.Equal(t, tt.token, tok)
		})
	}
}
