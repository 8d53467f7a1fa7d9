package sourcetype

import (
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ipaddr"
)

// cefKind says how an extension maps to ECS.
type cefKind uint8

const (
	cefNone      cefKind = iota // kept in cef.extensions only
	cefString                   // copied
	cefLower                    // copied in lower case (ECS wants network.* lower case)
	cefIP                       // copied when it is an IP address
	cefInt                      // copied when it is a non-negative integer
	cefDate                     // a time, written in RFC 3339
	cefEventTime                // the event's time
	cefMessage                  // the message, instead of the header's name
	cefOutcome                  // event.outcome, when it is one of ECS's values
	cefDirection                // network.direction from 0 and 1
	cefValue                    // a custom string or number, for labels
	cefLabel                    // the label of a custom string or number
)

// cefSpec is what the CEF dictionary says of a key: the path of its full name, and its ECS
// field. slot numbers custom strings and numbers from 1.
type cefSpec struct {
	ext  string
	ecs  string
	kind cefKind
	slot uint8
}

// cefKey looks up a key of the CEF dictionary (ArcSight CEF, version 25), by its short name
// or its full name. The mapping to ECS follows Elastic's decode_cef, except that app goes to
// network.protocol, the ECS field for application protocols.
func cefKey(key []byte) (cefSpec, bool) {
	if s, ok := cefCustomKey(key); ok {
		return s, true
	}
	switch string(key) {
	case "src", "sourceAddress":
		return cefSpec{"cef.extensions.sourceAddress", "source.ip", cefIP, 0}, true
	case "spt", "sourcePort":
		return cefSpec{"cef.extensions.sourcePort", "source.port", cefInt, 0}, true
	case "shost", "sourceHostName":
		return cefSpec{"cef.extensions.sourceHostName", "source.domain", cefString, 0}, true
	case "smac", "sourceMacAddress":
		return cefSpec{"cef.extensions.sourceMacAddress", "source.mac", cefString, 0}, true
	case "suser", "sourceUserName":
		return cefSpec{"cef.extensions.sourceUserName", "source.user.name", cefString, 0}, true
	case "suid", "sourceUserId":
		return cefSpec{"cef.extensions.sourceUserId", "source.user.id", cefString, 0}, true
	case "spid", "sourceProcessId":
		return cefSpec{"cef.extensions.sourceProcessId", "source.process.pid", cefInt, 0}, true
	case "sproc", "sourceProcessName":
		return cefSpec{"cef.extensions.sourceProcessName", "source.process.name", cefString, 0}, true
	case "sourceTranslatedAddress":
		return cefSpec{"cef.extensions.sourceTranslatedAddress", "source.nat.ip", cefIP, 0}, true
	case "sourceTranslatedPort":
		return cefSpec{"cef.extensions.sourceTranslatedPort", "source.nat.port", cefInt, 0}, true
	case "dst", "destinationAddress":
		return cefSpec{"cef.extensions.destinationAddress", "destination.ip", cefIP, 0}, true
	case "dpt", "destinationPort":
		return cefSpec{"cef.extensions.destinationPort", "destination.port", cefInt, 0}, true
	case "dhost", "destinationHostName":
		return cefSpec{"cef.extensions.destinationHostName", "destination.domain", cefString, 0}, true
	case "dmac", "destinationMacAddress":
		return cefSpec{"cef.extensions.destinationMacAddress", "destination.mac", cefString, 0}, true
	case "duser", "destinationUserName":
		return cefSpec{"cef.extensions.destinationUserName", "destination.user.name", cefString, 0}, true
	case "duid", "destinationUserId":
		return cefSpec{"cef.extensions.destinationUserId", "destination.user.id", cefString, 0}, true
	case "dpid", "destinationProcessId":
		return cefSpec{"cef.extensions.destinationProcessId", "destination.process.pid", cefInt, 0}, true
	case "dproc", "destinationProcessName":
		return cefSpec{"cef.extensions.destinationProcessName", "destination.process.name", cefString, 0}, true
	case "destinationTranslatedAddress":
		return cefSpec{"cef.extensions.destinationTranslatedAddress", "destination.nat.ip", cefIP, 0}, true
	case "destinationTranslatedPort":
		return cefSpec{"cef.extensions.destinationTranslatedPort", "destination.nat.port", cefInt, 0}, true
	}
	return cefOtherKey(key)
}

// cefOtherKey is cefKey for the keys that are neither source nor destination.
func cefOtherKey(key []byte) (cefSpec, bool) {
	switch string(key) {
	case "act", "deviceAction":
		return cefSpec{"cef.extensions.deviceAction", "event.action", cefString, 0}, true
	case "app", "applicationProtocol":
		return cefSpec{"cef.extensions.applicationProtocol", "network.protocol", cefLower, 0}, true
	case "proto", "transportProtocol":
		return cefSpec{"cef.extensions.transportProtocol", "network.transport", cefLower, 0}, true
	case "in", "bytesIn":
		return cefSpec{"cef.extensions.bytesIn", "source.bytes", cefInt, 0}, true
	case "out", "bytesOut":
		return cefSpec{"cef.extensions.bytesOut", "destination.bytes", cefInt, 0}, true
	case "msg", "message":
		return cefSpec{"cef.extensions.message", "", cefMessage, 0}, true
	case "reason":
		return cefSpec{"cef.extensions.reason", "event.reason", cefString, 0}, true
	case "outcome", "eventOutcome":
		return cefSpec{"cef.extensions.eventOutcome", "event.outcome", cefOutcome, 0}, true
	case "rt", "deviceReceiptTime":
		return cefSpec{"cef.extensions.deviceReceiptTime", "", cefEventTime, 0}, true
	case "start", "startTime":
		return cefSpec{"cef.extensions.startTime", "event.start", cefDate, 0}, true
	case "end", "endTime":
		return cefSpec{"cef.extensions.endTime", "event.end", cefDate, 0}, true
	case "request", "requestUrl":
		return cefSpec{"cef.extensions.requestUrl", "url.original", cefString, 0}, true
	case "requestMethod":
		return cefSpec{"cef.extensions.requestMethod", "http.request.method", cefString, 0}, true
	case "requestClientApplication":
		return cefSpec{"cef.extensions.requestClientApplication", "user_agent.original", cefString, 0}, true
	case "deviceDirection":
		return cefSpec{"cef.extensions.deviceDirection", "network.direction", cefDirection, 0}, true
	case "dvc", "deviceAddress":
		return cefSpec{"cef.extensions.deviceAddress", "observer.ip", cefIP, 0}, true
	case "dvchost", "deviceHostName":
		return cefSpec{"cef.extensions.deviceHostName", "observer.hostname", cefString, 0}, true
	case "dvcmac", "deviceMacAddress":
		return cefSpec{"cef.extensions.deviceMacAddress", "observer.mac", cefString, 0}, true
	case "dvcpid", "deviceProcessId":
		return cefSpec{"cef.extensions.deviceProcessId", "process.pid", cefInt, 0}, true
	case "deviceProcessName":
		return cefSpec{"cef.extensions.deviceProcessName", "process.name", cefString, 0}, true
	case "dtz", "deviceTimeZone":
		return cefSpec{"cef.extensions.deviceTimeZone", "event.timezone", cefString, 0}, true
	case "fname", "fileName":
		return cefSpec{"cef.extensions.fileName", "file.name", cefString, 0}, true
	case "filePath":
		return cefSpec{"cef.extensions.filePath", "file.path", cefString, 0}, true
	case "fsize", "fileSize":
		return cefSpec{"cef.extensions.fileSize", "file.size", cefInt, 0}, true
	case "cat":
		return cefSpec{"cef.extensions.deviceEventCategory", "", cefNone, 0}, true
	case "cnt":
		return cefSpec{"cef.extensions.baseEventCount", "", cefNone, 0}, true
	}
	return cefSpec{}, false
}

// cefCustomKey looks up cs1 to cs6, cn1 to cn3 and their labels; slots 1 to 6 are the
// strings, 7 to 9 the numbers.
func cefCustomKey(key []byte) (cefSpec, bool) {
	isLabel := len(key) == len("cs1Label") && string(key[3:]) == "Label"
	if (len(key) != 3 && !isLabel) || key[0] != 'c' {
		return cefSpec{}, false
	}
	var slot uint8
	switch n := key[2]; {
	case key[1] == 's' && n >= '1' && n <= '6':
		slot = n - '0'
	case key[1] == 'n' && n >= '1' && n <= '3':
		slot = 6 + n - '0'
	default:
		return cefSpec{}, false
	}
	values := [...]string{
		"cef.extensions.deviceCustomString1", "cef.extensions.deviceCustomString2",
		"cef.extensions.deviceCustomString3", "cef.extensions.deviceCustomString4",
		"cef.extensions.deviceCustomString5", "cef.extensions.deviceCustomString6",
		"cef.extensions.deviceCustomNumber1", "cef.extensions.deviceCustomNumber2",
		"cef.extensions.deviceCustomNumber3",
	}
	labels := [...]string{
		"cef.extensions.deviceCustomString1Label", "cef.extensions.deviceCustomString2Label",
		"cef.extensions.deviceCustomString3Label", "cef.extensions.deviceCustomString4Label",
		"cef.extensions.deviceCustomString5Label", "cef.extensions.deviceCustomString6Label",
		"cef.extensions.deviceCustomNumber1Label", "cef.extensions.deviceCustomNumber2Label",
		"cef.extensions.deviceCustomNumber3Label",
	}
	if isLabel {
		return cefSpec{labels[slot-1], "", cefLabel, slot}, true
	}
	return cefSpec{values[slot-1], "", cefValue, slot}, true
}

// setCEFECS sets the ECS field of a known extension; it reports an unusable rt.
func setCEFECS(d *ecs.Document, spec cefSpec, v []byte, env *Env) error {
	switch spec.kind {
	case cefString:
		d.SetBytes(spec.ecs, v)
	case cefLower:
		d.SetBytes(spec.ecs, lowerInArena(d, v))
	case cefIP:
		if ipaddr.Valid(v) {
			d.SetBytes(spec.ecs, v)
		}
	case cefInt:
		if n, ok := atoi(v); ok {
			d.SetInt(spec.ecs, n)
		}
	case cefDate:
		if ns, ok := cefTime(v, env); ok {
			d.SetTime(spec.ecs, time.Unix(0, ns))
		}
	case cefEventTime:
		ns, ok := cefTime(v, env)
		if !ok {
			return badTimestamp("cef: rt %s is not a time", quote(v))
		}
		d.SetTimestamp(ns)
	case cefMessage:
		d.SetMessage(v)
	case cefOutcome:
		switch lower := lowerInArena(d, v); string(lower) {
		case "success", "failure", "unknown":
			d.SetBytes(spec.ecs, lower)
		}
	case cefDirection:
		switch string(v) {
		case "0":
			d.SetString(spec.ecs, "inbound")
		case "1":
			d.SetString(spec.ecs, "outbound")
		}
	}
	return nil
}
