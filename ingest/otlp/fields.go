package otlp

import (
	"maps"
	"strconv"
	"strings"
	"time"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
)

// resourceECS returns the ECS field of a resource attribute, as Elastic's OpenTelemetry
// intake (APM Server) maps it.
func resourceECS(key string) (string, bool) {
	switch key {
	case "service.name", "service.version", "host.name", "host.id",
		"process.pid", "process.command_line",
		"container.id", "container.name", "container.runtime", "container.image.name", "container.image.tag",
		"cloud.provider", "cloud.account.id", "cloud.region", "cloud.availability_zone",
		"device.id", "device.manufacturer", "device.model.identifier", "device.model.name":
		return key, true
	case "service.instance.id":
		return "service.node.name", true
	case "deployment.environment", "deployment.environment.name":
		return "service.environment", true
	case "host.arch":
		return "host.architecture", true
	case "host.type":
		return "cloud.machine.type", true
	case "os.type":
		return "host.os.platform", true
	case "os.name":
		return "host.os.name", true
	case "os.version":
		return "host.os.version", true
	case "os.description":
		return "host.os.full", true
	case "process.parent_pid":
		return "process.parent.pid", true
	case "process.executable.name":
		return "process.name", true
	case "process.executable.path":
		return "process.executable", true
	case "k8s.cluster.name":
		return "orchestrator.cluster.name", true
	case "k8s.namespace.name":
		return "kubernetes.namespace", true
	case "k8s.node.name":
		return "kubernetes.node.name", true
	case "k8s.pod.name":
		return "kubernetes.pod.name", true
	case "k8s.pod.uid":
		return "kubernetes.pod.uid", true
	case "cloud.platform":
		return "cloud.service.name", true
	}
	return "", false
}

// attributeECS returns the ECS field of a log record attribute of the OpenTelemetry
// semantic conventions.
func attributeECS(key string) (string, bool) {
	switch key {
	case "log.file.name", "log.file.path":
		return key, true
	case "exception.type":
		return "error.type", true
	case "exception.message":
		return "error.message", true
	case "exception.stacktrace":
		return "error.stack_trace", true
	case "code.function", "code.function.name":
		return "log.origin.function", true
	case "code.filepath", "code.file.path":
		return "log.origin.file.name", true
	case "code.lineno", "code.line.number":
		return "log.origin.file.line", true
	case "thread.name":
		return "process.thread.name", true
	case "thread.id":
		return "process.thread.id", true
	}
	return "", false
}

// resourceFields returns the fields of a resource's attributes and its service.name.
func resourceFields(attrs []*commonpb.KeyValue) (map[string]string, string) {
	fields := make(map[string]string, len(attrs))
	addAttributes(fields, attrs, resourceECS)
	return fields, fields["service.name"]
}

// addAttributes sets the field of each attribute: its ECS field in ecs, else labels.<key>.
func addAttributes(fields map[string]string, attrs []*commonpb.KeyValue, ecs func(string) (string, bool)) {
	for _, kv := range attrs {
		key := kv.GetKey()
		if key == "" {
			continue
		}
		path, ok := ecs(key)
		if !ok {
			path = "labels." + strings.ReplaceAll(key, ".", "_")
		}
		fields[path] = text(kv.GetValue())
	}
}

// cloneWith copies m with room for n more entries.
func cloneWith(m map[string]string, n int) map[string]string {
	c := make(map[string]string, len(m)+n)
	maps.Copy(c, m)
	return c
}

// logFields sets the fields a log record carries beside its body and ids.
func logFields(fields map[string]string, lr *logspb.LogRecord) {
	addAttributes(fields, lr.GetAttributes(), attributeECS)
	ts := lr.GetTimeUnixNano()
	if ts == 0 {
		ts = lr.GetObservedTimeUnixNano()
	}
	if ts != 0 {
		fields["@timestamp"] = time.Unix(int64(ts/1e9), int64(ts%1e9)).UTC().Format(time.RFC3339Nano)
	}
	sev := lr.GetSeverityNumber()
	if level := lr.GetSeverityText(); level != "" {
		fields["log.level"] = level
	} else if level := severityName(sev); level != "" {
		fields["log.level"] = level
	}
	if sev != logspb.SeverityNumber_SEVERITY_NUMBER_UNSPECIFIED {
		fields["event.severity"] = strconv.Itoa(int(sev))
	}
	if name := lr.GetEventName(); name != "" {
		fields["event.action"] = name
	}
}

// severityName returns the short name the OpenTelemetry log data model gives a severity
// number: TRACE, TRACE2 ... FATAL4; "" for none or out of range.
func severityName(n logspb.SeverityNumber) string {
	if n < 1 || n > 24 {
		return ""
	}
	names := [...]string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
	name := names[(n-1)/4]
	if i := (n-1)%4 + 1; i > 1 {
		return name + strconv.Itoa(int(i))
	}
	return name
}

// text returns v as appendText writes it, without a copy for a string.
func text(v *commonpb.AnyValue) string {
	if s, ok := v.GetValue().(*commonpb.AnyValue_StringValue); ok {
		return s.StringValue
	}
	return string(appendText(nil, v))
}
