package esbulk

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

// FuzzDecode checks that decoding never panics; that errors are *ingest.Error; that every
// record is a JSON object within the limit found in the body, routed to a valid index; that
// the items match the records; and that the answer is valid JSON with one result per item.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.ndjson"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(b, "")
	}
	for _, s := range []string{
		"{\"delete\":{\"_index\":\"a\"}}\n{\"update\":{}}\n{\"doc\":{}}\n",
		"{\"index\":{\"_index\":\"a\\u00e9\",\"_id\":1}}\r\n{\"x\":[1,{\"y\":null}]}",
		"{\"index\":{\"dynamic_templates\":{\"a\":[\"}\"]}}}\n{}\n",
		"{\"index\":{}}\n\n\n{}\n[1]\n",
		"{\"create\":{\"_index\":\"\xff\"}}\n{\"m\":\"\xfe\"}\n",
	} {
		f.Add([]byte(s), "logs")
	}
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		lim := Limits{MaxLineBytes: 64, MaxRecords: 8}
		req, err := Decode(body, path, lim)
		if err != nil {
			var ie *ingest.Error
			require.True(t, errors.As(err, &ie), "%T %v", err, err)
			require.Contains(t, []ingest.Kind{ingest.Invalid, ingest.TooLarge}, ie.Kind)
			require.Nil(t, req)
			require.True(t, json.Valid(FromError(err).Body))
			return
		}
		require.NotEmpty(t, req.Items)
		require.LessOrEqual(t, len(req.Items), lim.MaxRecords)
		accepted := 0
		for _, it := range req.Items {
			if it.Error != nil {
				require.Equal(t, -1, it.Record)
				require.GreaterOrEqual(t, it.Status, 400)
				continue
			}
			require.Equal(t, accepted, it.Record)
			require.Equal(t, 201, it.Status)
			require.Contains(t, []Op{OpIndex, OpCreate}, it.Op)
			r := req.Records[it.Record]
			require.True(t, r.JSON)
			require.LessOrEqual(t, len(r.Data), lim.MaxLineBytes)
			require.True(t, json.Valid(r.Data))
			require.Equal(t, byte('{'), bytes.TrimLeft(r.Data, " \t")[0])
			require.True(t, bytes.Contains(body, r.Data))
			require.Empty(t, checkIndex(it.Index))
			accepted++
		}
		require.Len(t, req.Records, accepted)
		resp := req.Response(time.Millisecond)
		require.True(t, json.Valid(resp.Body), "%s", resp.Body)
		var got struct {
			Errors bool
			Items  []map[string]json.RawMessage
		}
		require.NoError(t, json.Unmarshal(resp.Body, &got))
		require.Len(t, got.Items, len(req.Items))
		require.Equal(t, accepted < len(req.Items), got.Errors)
	})
}

// FuzzCredential checks that a credential is found only in a known scheme and never has
// surrounding space.
func FuzzCredential(f *testing.F) {
	for _, s := range []string{"ApiKey dHJvbGx5OnRybF94", "Basic ZTp0cmxfeA==", "Bearer trl_x", "ApiKey trl_a_b", "Basic", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		secret, ok := Credential(header)
		require.Equal(t, ok, secret != "")
		if ok {
			require.Equal(t, bytes.TrimSpace([]byte(secret)), []byte(secret))
		}
	})
}

// FuzzDecodeDoc checks that a single document never panics the decoder; that errors are
// *ingest.Error; that an accepted document is one line of a JSON object within the limit;
// and that the answer is valid JSON with the item's status.
func FuzzDecodeDoc(f *testing.F) {
	for _, s := range []string{
		`{"message":"up"}`,
		"{\n  \"message\": \"up\",\r\n  \"n\": [1, 2]\n}\n",
		"{\"a\":1}\n{\"b\":2}",
		`[1]`, `{"a":`, "", " \n", "{\"m\":\"\xff\"}",
	} {
		f.Add([]byte(s), "app", "")
	}
	f.Add([]byte(`{"m":1}`), "App", "x")
	f.Add([]byte(`{"m":1}`), "_bulk", "a/b")
	f.Fuzz(func(t *testing.T, body []byte, index, id string) {
		lim := Limits{MaxLineBytes: 64}
		req, err := DecodeDoc(body, OpCreate, index, id, lim)
		if err != nil {
			var ie *ingest.Error
			require.True(t, errors.As(err, &ie), "%T %v", err, err)
			require.Nil(t, req)
			require.True(t, json.Valid(FromError(err).Body))
			return
		}
		require.Len(t, req.Items, 1)
		it := req.Items[0]
		resp := req.DocResponse()
		require.True(t, json.Valid(resp.Body), "%s", resp.Body)
		require.Equal(t, it.Status, resp.Status)
		if it.Error != nil {
			require.Empty(t, req.Records)
			require.GreaterOrEqual(t, it.Status, 400)
			return
		}
		require.Len(t, req.Records, 1)
		r := req.Records[0].Data
		require.True(t, json.Valid(r))
		require.Equal(t, byte('{'), r[0])
		require.NotContains(t, string(r), "\n")
		require.LessOrEqual(t, len(r), lim.MaxLineBytes)
		require.Empty(t, checkIndex(it.Index))
	})
}
