//go:build race

package detect

// raceEnabled lets slow tests shrink under the race detector, which slows
// scoring about tenfold.
const raceEnabled = true
