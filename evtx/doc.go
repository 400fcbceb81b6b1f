// Package evtx reads Windows XML Event Log (EVTX) files, written from
// libyal's "Windows XML Event Log (EVTX) format" and [MS-EVEN6] (BinXml). It
// imports only the standard library.
//
//	f, err := evtx.Open(r, size) // r is an io.ReaderAt
//	for rec, err := range f.Records() {
//		if err != nil { // a *Damage: that part was skipped, go on
//			log.Printf("%s: %v", path, err)
//			continue
//		}
//		use(rec.ID, rec.Time, rec.Fields, rec.XML)
//	}
//
// # File structure
//
// A 4096-byte file header, then 64 KiB chunks, each with a 512-byte header
// (record range, CRC32 of the header and of the records, a table of common
// names and templates), then records: a signature, size, identifier,
// written time, the event as BinXML, and the size again. BinXML is a token
// stream of elements, attributes, text, CDATA, character and entity
// references, processing instructions and template instances. A template
// is defined once per chunk (elements with substitution slots) and each
// record supplies an array of typed values; an optional substitution with a
// null value leaves its attribute out; an array value repeats its element
// once per item; a BinXML-typed value is a nested document expanded in
// place. Records are read in file order.
//
// # Damage
//
// Damage is reported as a *Damage error from the iterator, with the file
// offset, and reading goes on: a file header with a wrong checksum is
// reported and the chunks are read anyway; a chunk with a wrong header
// checksum or a bad signature is skipped; a chunk whose records checksum
// is wrong is reported and its records are still read one by one; a record
// with bad framing (signature, size, copy of the size) is reported and the
// next well-framed record is looked for; a record whose BinXML cannot be
// decoded is skipped. Unused space after the announced chunks (no chunk
// signature) is not damage. Work per record is bounded: nesting depth
// (elements, templates, nested values) is at most 64 and a record expands
// to at most 4 MiB of text.
//
// # Field names
//
// Record.Fields flattens the event into (name, value) pairs named as
// SigmaHQ's JSON renderings (evtx_dump) and Sigma rules name them:
//
//   - System: each child element by its name (EventID, Version, Level,
//     Task, Opcode, Keywords, EventRecordID, Channel, Computer), each
//     attribute as Element_Attribute (Provider_Name, Provider_Guid,
//     Provider_EventSourceName, EventID_Qualifiers, TimeCreated_SystemTime,
//     Correlation_ActivityID, Execution_ProcessID, Execution_ThreadID,
//     Security_UserID). An element with neither text nor attributes (an
//     empty Correlation) gives no field.
//   - EventData: <Data Name="N"> is the field N; a Data element without a
//     Name is Data, the next Data_1, Data_2, ... in order; other children
//     (Binary) by their element name; ComplexData with a Name like Data.
//     EventData's own attributes are EventData_Attribute (EventData_Name).
//   - UserData: the children of its wrapper element by their names
//     (UserData/Operation_ClientFailure/User is User); the wrapper's
//     attributes are Wrapper_Attribute.
//   - Any other child of Event (RenderingInfo, ProcessingErrorData, ...):
//     prefixed with its name (RenderingInfo_Message).
//   - Deeper elements are Parent_Child, attributes Element_Attribute; xmlns
//     attributes are never fields. In EventData and UserData an empty
//     element is a field with an empty string, so that positions hold.
//   - A name already taken in the event gets _1, _2, ... (as evtx_dump names
//     repeated sibling elements).
//
// Values are typed (Value.Type is the BinXML type; Int, Uint, Float, Bool
// and Time give the binary value) and their text is as Windows renders it
// in the event's XML, with two choices that differ from evtx_dump's JSON:
// GUIDs are {lower-case} with braces (evtx_dump: upper case, no braces),
// FILETIMEs keep all seven decimals of their 100 ns ticks (evtx_dump cuts to
// six). String values keep trailing white space (evtx_dump trims it).
//
// Record.XML is the event as compact XML (no declaration, no indentation),
// for _raw. Record.Time is System/TimeCreated/@SystemTime.
package evtx
