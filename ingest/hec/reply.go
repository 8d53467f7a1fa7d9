package hec

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/trolly-logs/trolly/ingest"
)

// Code is a HEC status code, sent in every answer's body beside its text.
type Code int

// HEC's status codes, as Splunk's "Troubleshoot HTTP Event Collector" lists them.
const (
	Success              Code = 0
	TokenDisabled        Code = 1
	TokenRequired        Code = 2
	InvalidAuthorization Code = 3
	InvalidToken         Code = 4
	NoData               Code = 5
	InvalidDataFormat    Code = 6
	IncorrectIndex       Code = 7
	InternalError        Code = 8
	ServerBusy           Code = 9
	ChannelMissing       Code = 10
	InvalidChannel       Code = 11
	EventRequired        Code = 12
	EventBlank           Code = 13
	AckDisabled          Code = 14
	IndexedFieldsError   Code = 15
	QueryAuthDisabled    Code = 16
	Healthy              Code = 17
	Unhealthy            Code = 18
)

var codes = [...]struct {
	status int
	text   string
}{
	Success:              {http.StatusOK, "Success"},
	TokenDisabled:        {http.StatusForbidden, "Token disabled"},
	TokenRequired:        {http.StatusUnauthorized, "Token is required"},
	InvalidAuthorization: {http.StatusUnauthorized, "Invalid authorization"},
	InvalidToken:         {http.StatusForbidden, "Invalid token"},
	NoData:               {http.StatusBadRequest, "No data"},
	InvalidDataFormat:    {http.StatusBadRequest, "Invalid data format"},
	IncorrectIndex:       {http.StatusBadRequest, "Incorrect index"},
	InternalError:        {http.StatusInternalServerError, "Internal server error"},
	ServerBusy:           {http.StatusServiceUnavailable, "Server is busy"},
	ChannelMissing:       {http.StatusBadRequest, "Data channel is missing"},
	InvalidChannel:       {http.StatusBadRequest, "Invalid data channel"},
	EventRequired:        {http.StatusBadRequest, "Event field is required"},
	EventBlank:           {http.StatusBadRequest, "Event field cannot be blank"},
	AckDisabled:          {http.StatusBadRequest, "ACK is disabled"},
	IndexedFieldsError:   {http.StatusBadRequest, "Error in handling indexed fields"},
	QueryAuthDisabled:    {http.StatusBadRequest, "Query string authorization is not enabled"},
	Healthy:              {http.StatusOK, "HEC is healthy"},
	Unhealthy:            {http.StatusServiceUnavailable, "HEC is unhealthy, queues are full"},
}

// Status is the HTTP status HEC answers code with.
func (c Code) Status() int {
	if c < 0 || int(c) >= len(codes) {
		return http.StatusInternalServerError
	}
	return codes[c].status
}

// Text is HEC's fixed text of code, which clients log.
func (c Code) Text() string {
	if c < 0 || int(c) >= len(codes) {
		return "Internal server error"
	}
	return codes[c].text
}

// Reply is one HEC answer: an HTTP status and the JSON body {"text", "code"}, with
// "invalid-event-number" when it is about one event. Detail, when set, is Trolly's own
// explanation, sent as "detail": clients ignore keys they do not know, people read it.
type Reply struct {
	Status int
	Code   Code
	// Event is the 0-based number of the event the answer is about, or -1.
	Event  int
	Detail string
}

// ReplyOf is the standard answer of code.
func ReplyOf(code Code) Reply {
	return Reply{Status: code.Status(), Code: code, Event: -1}
}

// ReplyFor is the answer to a decoding error: HEC's code and status for an *Error, 413 for
// bad input that is too large (HEC has no code of its own for it: the body says Invalid data
// format and the status tells), and 400 Invalid data format for any other error.
func ReplyFor(err error) Reply {
	r := ReplyOf(InvalidDataFormat)
	var he *Error
	if errors.As(err, &he) {
		r = ReplyOf(he.Code)
		r.Event = he.Event
	}
	var ie *ingest.Error
	if errors.As(err, &ie) && ie.Kind == ingest.TooLarge {
		r.Status = http.StatusRequestEntityTooLarge
	}
	if err != nil {
		r.Detail = err.Error()
	}
	return r
}

type replyBody struct {
	Text   string `json:"text"`
	Code   Code   `json:"code"`
	Event  *int   `json:"invalid-event-number,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// MarshalJSON encodes the body as HEC does, e.g. {"text":"Success","code":0}.
func (r Reply) MarshalJSON() ([]byte, error) {
	b := replyBody{Text: r.Code.Text(), Code: r.Code, Detail: r.Detail}
	if r.Event >= 0 {
		b.Event = &r.Event
	}
	return json.Marshal(b)
}

// Write sends the reply. retryAfter, when positive, is sent as Retry-After in whole seconds
// (Vector, Fluent Bit and the OpenTelemetry exporter retry 429 and 503).
func (r Reply) Write(w http.ResponseWriter, retryAfter time.Duration) {
	body, err := r.MarshalJSON()
	if err != nil { // a Reply always encodes; keep the client informed anyway
		body = []byte(`{"text":"Internal server error","code":8}`)
	}
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((retryAfter+time.Second-1)/time.Second)))
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(r.Status)
	_, _ = w.Write(body) // the client may be gone; nothing to do then
}
