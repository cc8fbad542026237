//go:build glfwprobe

package ui

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// The glfwprobe build runs the package's GUI on Fyne's real GLFW driver
// (an X display is needed: scripts/bench/gui.sh starts one with xvfb-run)
// to measure what the test driver cannot: whether the event loop keeps
// running and the window keeps repainting while a large file is signed.
// The production binary carries none of it.

func init() { testMainHook = glfwProbeMain }

// mainThread carries work to the process's main thread: GLFW's event loop
// must run there (Fyne's driver locks it in its init), and TestMain is the
// only code of a test binary that runs on it.
var mainThread = make(chan func())

// glfwProbeMain runs the probe test on a goroutine while the main thread
// serves mainThread. Only the probe runs in this build: the package's other
// tests expect the test driver and the queued runOnUI of helpers_test.go.
func glfwProbeMain(m *testing.M) int {
	flag.Parse()
	if err := flag.Set("test.run", "^TestGUIWhileSigning$"); err != nil {
		fmt.Fprintln(os.Stderr, "glfwprobe: select the probe test:", err)
		return 2
	}
	code := make(chan int, 1)
	go func() {
		code <- m.Run()
		close(mainThread)
	}()
	for f := range mainThread {
		f()
	}
	c := <-code
	if probeConfigDir != "" {
		os.RemoveAll(probeConfigDir)
	}
	return c
}

// probeConfigDir is the probe's Fyne config folder, removed at exit. Fyne's
// settings watcher outlives the app and makes the folder again when it goes,
// so an empty one may stay behind; scripts/bench/gui.sh points TMPDIR into
// its own temporary folder for that.
var probeConfigDir string
