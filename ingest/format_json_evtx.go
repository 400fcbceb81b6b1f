package ingest

import (
	"strconv"
	"strings"

	"loghunt/store"
)

// evtxDumpNames renames the fields of a JSON rendering of a Windows event
// (evtx_dump's layout: {"Event": {"System": {...}, "EventData": {...}}},
// attributes under "#attributes", element text under "#text"), as the
// json format flattened them (Event.System.EventID,
// Event.System.Provider.#attributes.Name, Event.EventData.Image), to the
// names package evtx gives the same event read from its .evtx file, which
// are those Sigma rules use: EventID, Provider_Name, Image. The rules:
// System's and EventData's children by their names, UserData's below its
// wrapper element, other children of Event (RenderingInfo) prefixed with
// their name; an attribute is Element_Attribute, xmlns attributes are
// dropped; deeper elements are Parent_Child; a null System element is
// absent, a null EventData or UserData value an empty string; a name
// already taken gets _1, _2, ... Fields outside Event keep their names.
// It applies when the event has an Event.System object; fields[n0:] are
// the event's own.
func evtxDumpNames(ev *store.Event, n0 int) {
	fields := ev.Fields[n0:]
	shaped := false
	for i := range fields {
		if strings.HasPrefix(fields[i].Name, "Event.System.") {
			shaped = true
			break
		}
	}
	if !shaped {
		return
	}
	taken := map[string]bool{}
	for i := range fields {
		if !strings.HasPrefix(fields[i].Name, "Event.") {
			taken[fields[i].Name] = true
		}
	}
	out := fields[:0]
	for _, f := range fields {
		rest, ok := strings.CutPrefix(f.Name, "Event.")
		if !ok {
			out = append(out, f)
			continue
		}
		name, keep := evtxDumpName(strings.Split(rest, "."))
		if !keep {
			continue
		}
		if f.Value.K == store.KindNull {
			if strings.HasPrefix(rest, "System.") {
				continue
			}
			f.Value = store.Str("")
		}
		name = fieldName(name)
		base := name
		for k := 1; taken[name]; k++ {
			name = base + "_" + strconv.Itoa(k)
		}
		taken[name] = true
		f.Name = name
		out = append(out, f)
	}
	ev.Fields = ev.Fields[:n0+len(out)]
}

// evtxDumpName names the field at path (below Event); keep is false for
// fields that are none (xmlns).
func evtxDumpName(path []string) (string, bool) {
	switch path[0] {
	case "#attributes":
		return joinEvtxPath(append([]string{"Event"}, path...))
	case "System":
		return joinEvtxPath(path[1:])
	case "EventData":
		if len(path) > 1 && path[1] == "#attributes" {
			return joinEvtxPath(path)
		}
		if len(path) == 1 {
			return "EventData", true
		}
		return joinEvtxPath(path[1:])
	case "UserData":
		switch {
		case len(path) == 1:
			return "UserData", true
		case len(path) == 2:
			return joinEvtxPath(path[1:])
		case path[2] == "#attributes":
			return joinEvtxPath(path[1:])
		}
		return joinEvtxPath(path[2:])
	}
	return joinEvtxPath(path)
}

// joinEvtxPath joins element names with "_", dropping #text and
// #attributes (Provider.#attributes.Name is Provider_Name); an xmlns
// attribute is no field.
func joinEvtxPath(path []string) (string, bool) {
	var b strings.Builder
	for i, p := range path {
		switch p {
		case "#text":
			continue
		case "#attributes":
			if i+1 < len(path) && (path[i+1] == "xmlns" || strings.HasPrefix(path[i+1], "xmlns:")) {
				return "", false
			}
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		b.WriteString(p)
	}
	if b.Len() == 0 {
		return "", false
	}
	return b.String(), true
}
