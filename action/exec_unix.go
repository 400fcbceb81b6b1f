//go:build unix

package action

import (
	"os/exec"
	"syscall"
)

// ownGroup starts the command in a process group of its own and makes
// the kill at its timeout reach the whole group.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
