// Package query is loghunt's piped query language: a Splunk-style search
// followed by stages (`Failed password | stats count by src_ip | sort
// -count`), run over the chunks of a store.
//
// A query goes through six steps, each in files named for it, after its
// macros (`name(args)`, macro.go and macro_expand.go) are expanded to
// text when the caller has any (ParseWithMacros: every byte of the
// expanded text remembers the query or macro definition it came from, so
// errors point into the macro):
//
//  1. Lex (lexer.go, lexer_expr.go). The text becomes tokens. Search
//     terms, stage arguments and eval expressions lex differently (a `-`
//     is part of a word in `-7d` and an operator in `a - b`), so the lexer
//     switches modes by what came before.
//
//  2. Parse (parse.go, ast.go, search_ast.go, expr_ast.go,
//     stats_aggregate.go, cmd_*.go). participle builds the AST from the
//     grammar written in the struct tags: a Query is a SearchCmd and the
//     stages after it, one type per stage, each in its cmd_<stage>.go
//     with its String (every AST prints back to a query that parses to
//     the same AST: fuzz_test.go checks it).
//
//  3. Check (the check methods beside each stage, search_term.go,
//     expr_compile.go, fieldcheck.go). Arguments are validated with the
//     query column of the mistake (errors.go), search terms become a Term
//     tree (NOT binds tighter than OR, OR tighter than the implicit AND,
//     as in Splunk), expressions compile to closures, and fields no event
//     has are warned about.
//
//  4. Plan (plan.go, engine.go). newPlan finds the time range, the
//     tokens every match must hold, and, walking back from the output,
//     the fields each stage reads. build splits the stages: the leading
//     row stages (where, eval, rex, ...) are pushed into the scan workers;
//     a stats, top, timechart or similar right after them runs there as a
//     partial aggregation (stats_groups.go, stats_typed.go for the typed
//     path over integer and dictionary columns); the rest are operators
//     on one ordered stream.
//
//  5. Scan (plan.go's scan, scan_load.go, scan_merge.go, search_match.go).
//     The store prunes chunks by time, field ranges and token filters and
//     hands the rest to workers on every core. A worker selects the rows
//     of its chunk that match the search and decodes only the columns the
//     query needs into a Batch; pushed stages run on it, or its partial
//     aggregate is folded. The merger puts the workers' batches back in
//     time order.
//
//  6. Stages (cmd_*.go, stats_*.go, funcs*.go). Each operator pushes
//     batches to the next and finishes in turn; the last hands them to the
//     caller's function (the CLI's and the REPL's printer in render).
//
// Every answer is deterministic at any core count and chunk order:
// groups, values() and ties are ordered by value, never by arrival
// (determinism_test.go).
package query
