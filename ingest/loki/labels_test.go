package loki

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseLabels(t *testing.T) {
	tests := []struct {
		in   string
		want []Label
	}{
		{`{}`, nil},
		{` { } `, nil},
		{`{a="b"}`, []Label{{"a", "b"}}},
		{`{job="varlogs", filename="/var/log/syslog"}`, []Label{{"job", "varlogs"}, {"filename", "/var/log/syslog"}}},
		{`{a="b",c="d"}`, []Label{{"a", "b"}, {"c", "d"}}},
		{"{\n a = \"b\" ,\tc=\"d\"\n}", []Label{{"a", "b"}, {"c", "d"}}},
		{`{a="q\"uote\\back\nline\u00e9\x41"}`, []Label{{"a", "q\"uote\\back\nlineéA"}}},
		{"{a=`raw \\n`}", []Label{{"a", `raw \n`}}},
		{`{_x1="", __name__="m"}`, []Label{{"_x1", ""}, {"__name__", "m"}}},
		{`{a="日本"}`, []Label{{"a", "日本"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLabels(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseLabelsErrors(t *testing.T) {
	tests := []struct {
		in, msg string
	}{
		{``, "expected '{'"},
		{`a="b"`, "expected '{'"},
		{`{a="b"`, "expected ',' or '}'"},
		{`{a="b",}`, "expected a label name"},
		{`{a}`, "expected '=' after label name \"a\""},
		{`{a!="b"}`, "expected '='"},
		{`{a=~"b"}`, "expected a quoted label value"},
		{`{1a="b"}`, "expected a label name"},
		{`{a-b="c"}`, "expected '='"},
		{`{a='b'}`, "expected a quoted label value"},
		{`{a="b}`, "unterminated label value"},
		{`{a="b\"}`, "unterminated label value"},
		{`{a="b\q"}`, "invalid syntax"},
		{"{a=\"b\nc\"}", "invalid syntax"},
		{`{a="b"} x`, "unexpected text after '}'"},
		{`{a="b" c="d"}`, "expected ',' or '}'"},
		{"{a=\"\xff\"}", "not valid UTF-8"},
		{`{a="\xff"}`, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseLabels(tt.in)
			require.ErrorContains(t, err, tt.msg)
		})
	}
}

func TestFormatLabels(t *testing.T) {
	require.Equal(t, `{a="b", c="d\"e"}`, formatLabels([]Label{{"a", "b"}, {"c", `d"e`}}))
}

func TestMetadataKey(t *testing.T) {
	for in, want := range map[string]string{"trace_id": "trace_id", "k8s.pod.name": "k8s_pod_name", "1x": "1x", "a-b c": "a_b_c", "é": "__"} {
		require.Equal(t, want, metadataKey(in), in)
	}
}
