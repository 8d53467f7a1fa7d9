package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// checkGRPC searches over gRPC on the API listener, as a gRPC client would.
func checkGRPC(t *testing.T, srv server, from, to string, want map[string]int) {
	conn, err := grpc.NewClient(strings.TrimPrefix(srv.apiURL, "http://"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	client := trollyv1.NewSearchServiceClient(conn)
	call := func(key string, q string) (*trollyv1.SearchResponse, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if key != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+key)
		}
		return client.Search(ctx, &trollyv1.SearchRequest{Q: q, From: from, To: to, Limit: 5})
	}
	for tenant, key := range map[string]string{"demo": demoRead, "acme": acmeRead} {
		resp, err := call(key, "")
		require.NoError(t, err)
		require.Equal(t, int64(want[tenant]), resp.GetTotal())
		require.Len(t, resp.GetHits(), 5)
		for _, h := range resp.GetHits() {
			require.Equal(t, tenant, h.GetSource().GetFields()["organization"].GetStructValue().GetFields()["id"].GetStringValue())
		}
	}
	resp, err := call(acmeRead, "organization.id:demo")
	require.NoError(t, err)
	require.Zero(t, resp.GetTotal())

	_, err = call("", "")
	require.Equal(t, codes.Unauthenticated, status.Code(err))
	_, err = call(demoIngest, "")
	require.Equal(t, codes.PermissionDenied, status.Code(err))
	_, err = call(demoRead, `"unclosed`)
	require.Equal(t, codes.InvalidArgument, status.Code(err))
}
