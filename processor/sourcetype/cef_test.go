package sourcetype

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

func TestCEFParser(t *testing.T) {
	tests := []struct {
		name, line string
		want       parsed
	}{
		{"Elastic's example", `CEF:0|SomeVendor|TheProduct|1.0|100|connection to malware C2 successfully stopped|10|src=192.0.2.10 dst=203.0.113.2 spt=31224`,
			parsed{doc: `{"cef":{"device":{"event_class_id":"100","product":"TheProduct","vendor":"SomeVendor","version":"1.0"},` +
				`"extensions":{"destinationAddress":"203.0.113.2","sourceAddress":"192.0.2.10","sourcePort":"31224"},` +
				`"name":"connection to malware C2 successfully stopped","severity":"10","version":"0"},` +
				`"destination":{"ip":"203.0.113.2"},"event":{"code":"100","severity":10},` +
				`"observer":{"product":"TheProduct","vendor":"SomeVendor","version":"1.0"},"source":{"ip":"192.0.2.10","port":31224}}`,
				msg: "connection to malware C2 successfully stopped"}},
		{"header escapes, msg, rt and labels", `CEF:1|Ven\|dor|Pro\\duct|2|sig|Name\|x|High|msg=line one\nline two rt=May 01 2024 10:00:00 cs1Label=Threat Name cs1=Evil \= bad act=blocked outcome=Failure proto=TCP app=HTTPS`,
			parsed{doc: `{"cef":{"device":{"event_class_id":"sig","product":"Pro\\duct","vendor":"Ven|dor","version":"2"},` +
				`"extensions":{"applicationProtocol":"HTTPS","deviceAction":"blocked","deviceCustomString1":"Evil = bad","deviceCustomString1Label":"Threat Name",` +
				`"deviceReceiptTime":"May 01 2024 10:00:00","eventOutcome":"Failure","message":"line one\nline two","transportProtocol":"TCP"},` +
				`"name":"Name|x","severity":"High","version":"1"},` +
				`"event":{"action":"blocked","code":"sig","outcome":"failure","severity":7},"labels":{"threat_name":"Evil = bad"},` +
				`"network":{"protocol":"https","transport":"tcp"},"observer":{"product":"Pro\\duct","vendor":"Ven|dor","version":"2"}}`,
				msg: "line one\nline two", time: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}},
		{"syslog header, unknown keys, values with spaces and =", `<134>May  1 10:00:00 fw01 CEF:0|V|P|1|id|n|Unknown|suser=j doe url=http://x/?a=b c flexString1=a b  dvchost=fw01.example.com`,
			parsed{doc: `{"cef":{"device":{"event_class_id":"id","product":"P","vendor":"V","version":"1"},` +
				`"extensions":{"deviceHostName":"fw01.example.com","flexString1":"a b","sourceUserName":"j doe","url":"http://x/?a=b c"},"name":"n","severity":"Unknown","version":"0"},` +
				`"event":{"code":"id"},"log":{"syslog":{"hostname":"fw01","priority":134}},` +
				`"observer":{"hostname":"fw01.example.com","product":"P","vendor":"V","version":"1"},"source":{"user":{"name":"j doe"}}}`,
				msg: "n", time: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}},
		{"rt in epoch milliseconds beats the syslog time, labels need both", `<13>1 2024-04-01T00:00:00Z host app - - - CEF:0|V|P|1|id|n|3|rt=1714557600123 cn1=5 cs2Label=lonely start=1714557600000 in=12 deviceDirection=1`,
			parsed{doc: `{"cef":{"device":{"event_class_id":"id","product":"P","vendor":"V","version":"1"},` +
				`"extensions":{"bytesIn":"12","deviceCustomNumber1":"5","deviceCustomString2Label":"lonely","deviceDirection":"1","deviceReceiptTime":"1714557600123","startTime":"1714557600000"},` +
				`"name":"n","severity":"3","version":"0"},` +
				`"event":{"code":"id","severity":3,"start":"2024-05-01T10:00:00Z"},"log":{"syslog":{"hostname":"host","priority":13}},` +
				`"network":{"direction":"outbound"},"observer":{"product":"P","vendor":"V","version":"1"},"source":{"bytes":12}}`,
				msg: "n", time: time.UnixMilli(1714557600123).UTC()}},
		{"values that are not ECS types stay in cef only", `CEF:0|V|P|1|id|n|11|src=host.example spt=http dst=`,
			parsed{doc: `{"cef":{"device":{"event_class_id":"id","product":"P","vendor":"V","version":"1"},` +
				`"extensions":{"destinationAddress":"","sourceAddress":"host.example","sourcePort":"http"},"name":"n","severity":"11","version":"0"},` +
				`"event":{"code":"id"},"observer":{"product":"P","vendor":"V","version":"1"}}`, msg: "n"}},
		{"empty header fields and extension", `CEF:0||||||| `,
			parsed{doc: `{"cef":{"version":"0"}}`}},
		{"bad rt", `CEF:0|V|P|1|id|n|1|rt=later`,
			parsed{doc: `{"cef":{"device":{"event_class_id":"id","product":"P","vendor":"V","version":"1"},` +
				`"extensions":{"deviceReceiptTime":"later"},"name":"n","severity":"1","version":"0"},` +
				`"event":{"code":"id","severity":1},"observer":{"product":"P","vendor":"V","version":"1"}}`, msg: "n", err: ErrTimestamp}},

		{"no CEF", `<13>May  1 10:00:00 host prog: text`, parsed{err: ErrNoMatch}},
		{"short header", `CEF:0|V|P|1|id|n`, parsed{err: ErrNoMatch}},
		{"escaped pipes do not count", `CEF:0|V|P|1|id|n\|6\|`, parsed{err: ErrNoMatch}},
		{"version not a number", `CEF:x|V|P|1|id|n|1|`, parsed{err: ErrNoMatch}},
		{"extension not key=value", `CEF:0|V|P|1|id|n|1|just text`, parsed{err: ErrNoMatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireParsed(t, tt.want, run(t, CEFParser{}, tt.line), "cef")
		})
	}
}

// FuzzCEF checks any line for well-formed output and sentinel errors, and that extension
// values escaped as the specification says read back unchanged.
func FuzzCEF(f *testing.F) {
	f.Add(`<134>May  1 10:00:00 fw CEF:0|V|P|1|id|n|5|src=10.0.0.1 cs1Label=a.b cs1=x msg=a\=b\\c\n`, "a = b \\ c|d\u00e9")
	f.Add(`CEF:0|a\|b|c\\|d|e|f|Very-High|k=v k2=v2 x.y=1 [a]=2`, "")
	f.Add(`CEF:0|||||||=`, "=x")
	f.Fuzz(func(t *testing.T, line, value string) {
		var d ecs.Document
		err := CEFParser{}.Parse([]byte(line), &d, testEnv())
		if err != nil {
			require.True(t, errors.Is(err, ErrNoMatch) || errors.Is(err, ErrTimestamp), "error %v wraps no sentinel", err)
		}
		out := d.AppendJSON(nil)
		require.NoError(t, ecstest.Check(out), "line %q gave %s", line, out)

		value = strings.TrimRight(strings.ToValidUTF8(value, "\ufffd"), " ")
		esc := strings.NewReplacer(`\`, `\\`, `=`, `\=`, "\n", `\n`, "\r", `\r`).Replace(value)
		d.Reset()
		require.NoError(t, CEFParser{}.Parse([]byte("CEF:0|V|P|1|id|n|1|act="+esc+" zzz="+esc), &d, testEnv()))
		var doc struct {
			CEF struct {
				Extensions map[string]string `json:"extensions"`
			} `json:"cef"`
			Event struct {
				Action string `json:"action"`
			} `json:"event"`
		}
		require.NoError(t, json.Unmarshal(d.AppendJSON(nil), &doc))
		require.Equal(t, value, doc.CEF.Extensions["deviceAction"])
		require.Equal(t, value, doc.CEF.Extensions["zzz"])
		require.Equal(t, value, doc.Event.Action)
	})
}

func BenchmarkParseCEF(b *testing.B) {
	benchParser(b, CEFParser{}, [][]byte{
		[]byte(`<134>May  1 10:00:00 fw01 CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 dpt=80 proto=TCP act=blocked suser=jdoe rt=1714557600123 msg=Detected a threat. No action needed.`),
		[]byte(`CEF:0|Vendor|Firewall|8.1|deny|Connection denied|5|src=192.168.1.20 dst=203.0.113.9 spt=51522 dpt=443 proto=TCP cs1Label=Rule Name cs1=block-outbound in=0 out=517 outcome=failure deviceExternalId=FW-7`),
	})
}
