package esbulk_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/trolly-logs/trolly/ingest/esbulk"
)

// The gateway's part: route each record by its index, set the event ids, fail what it
// cannot take, and answer.
func Example() {
	body := []byte("{\"create\":{\"_index\":\"nginx\"}}\n{\"message\":\"GET / 200\"}\n" +
		"{\"create\":{\"_index\":\"unknown\"}}\n{\"message\":\"lost\"}\n")
	req, err := esbulk.Decode(body, "", esbulk.Limits{MaxLineBytes: 1 << 20, MaxRecords: 1000})
	if err != nil {
		fmt.Println(esbulk.FromError(err).Status)
		return
	}
	for i := range req.Items {
		it := &req.Items[i]
		switch {
		case it.Error != nil:
		case it.Index != "nginx": // no stream of the tenant has this name
			it.Fail(http.StatusNotFound, "index_not_found_exception", "no such index ["+it.Index+"]")
		default:
			it.ID = fmt.Sprintf("01JDBATCH-%d", it.Record)
		}
	}
	fmt.Println(string(req.Response(2 * time.Millisecond).Body))
	// Output:
	// {"took":2,"errors":true,"items":[{"create":{"_index":"nginx","_id":"01JDBATCH-0","_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"status":201}},{"create":{"_index":"unknown","status":404,"error":{"type":"index_not_found_exception","reason":"no such index [unknown]","index":"unknown"}}}]}
}
