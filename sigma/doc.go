// Package sigma reads Sigma rules (specification v2.1: detection rules,
// filters and correlations), compiles their detections into a small
// expression tree, matches events against them, and correlates matches
// on sliding windows in event time. It imports nothing of loghunt: the
// caller maps field names and log sources and turns the compiled trees
// into its own query plans.
//
// # Reading rules
//
// Parse (one file's bytes), ParseFile and Load (files and directories)
// give Collections of Rules, Filters and Correlations; NewSet links them:
// filters are AND'ed into the rules they name, correlations resolve the
// rules and correlations they use by id or name. Multi-document files and
// legacy `action: global|reset|repeat` collections are read. A rule that
// cannot run has Problems (Check(rule)): each with the file, the line and
// column of the YAML node, for condition errors the column inside the
// condition, and a Kind (unsupported-modifier, undefined-placeholder,
// bad-condition, bad-regex, bad-value, missing-field, unknown-rule,
// bad-correlation, yaml) to count causes by.
//
// # Compiled form
//
// Rule.Expr is a Node: *And, *Or, *Not, *Bool over leaves *FieldTest
// (one field: equality, prefix, suffix, contains, glob with `*` and `?`,
// regex, cidr, numeric comparison, exists, null; case-insensitive unless
// Cased), *Keyword (the same string tests on the raw text) and *FieldRef
// (a field against another field). Modifiers are resolved at compile
// time: windash, base64, base64offset, utf16le/utf16be/utf16/wide and
// expand become alternative literals, contains/startswith/endswith the
// test's Op, all the linkage, neq a negation (of a present field). Eval
// (or Rule.Match) evaluates a tree on an Event; TokenPlan and
// RequiredTokens give the raw-text tokens a match needs, for chunk
// pruning by a token filter.
//
// # Semantics chosen where the specification leaves room
//
//   - Values are case-insensitive (also base64 output) unless cased;
//     regular expressions are case-sensitive unless re|i, unanchored, and
//     run on Go's RE2 (no look-around, no back-references: a rule using
//     them is reported).
//   - Escapes: \* and \? are plain, \\ is one backslash, any other
//     backslash (also a trailing one) is plain.
//   - `field: null` matches an absent or empty field; `field: ”` a
//     present empty one; a YAML number matches the same text or the same
//     number (4688 matches "4688" and "0x1250").
//   - neq: the field is present and equals none of the values.
//   - Keywords (lists of plain values) search the raw text for the value
//     anywhere (implicit contains).
//   - windash replaces every -, /, en dash, em dash and horizontal bar of
//     the value by each of them (all combinations, at most 5000).
//   - Filters: as in pySigma, the filter's condition is AND'ed to the
//     rule's (so an exclusion says `condition: not selection`); a filter
//     applies to the rules it lists (all rules when it lists none or says
//     `any`) whose logsource has every attribute the filter's has; the
//     filter's identifiers are not seen by the rule's `1 of them`.
//   - Correlations: see Correlation (what each type counts) and
//     Correlator (the windows: anchored at each event, closed at both ends,
//     a hit uses up its window's events). Events without a group-by field
//     take no part. A chained correlation sees a used correlation's hit as
//     one event at the hit's Trigger time (when its condition was first
//     met) carrying the hit's group-by values. value_percentile is read as
//     "a value whose share of the window's events meets the condition".
//     Rules and correlations used only by correlations without
//     `generate: true` are not Standalone: their own matches are not
//     reported.
//
// Field names are Sigma's (the rules' own); Event.Get is where a caller
// maps them to its events (for Windows event logs: System elements by
// name, their attributes as Element_Attribute such as Provider_Name,
// EventData and UserData values by their Name with spaces removed).
package sigma
