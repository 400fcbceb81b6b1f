package watch

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ErrWatched is returned when another watch holds the database's lock
// file.
var ErrWatched = errors.New("is already being watched")

// LockPath is the lock file of a watch on the database at db.
func LockPath(db string) string { return db + ".watch" }

// lock takes the watch lock of the database at db: an flock on db+".watch"
// held for the watch's life. The kernel drops an flock when its process
// dies, so the file a killed watch leaves behind blocks no one; it is
// never removed (removing it would let a second watch lock a new file
// while a third still holds the old one).
func lock(db string) (release func(), err error) {
	path := LockPath(db)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("watch lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		holder := "another loghunt watch"
		if b, rerr := os.ReadFile(path); rerr == nil && len(strings.TrimSpace(string(b))) > 0 {
			holder = "loghunt watch " + strings.TrimSpace(string(b))
		}
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s %w by %s (lock file %s); stop it first, or watch into another --db", db, ErrWatched, holder, path)
		}
		return nil, fmt.Errorf("watch lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid %d, started %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	}
	return func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}
