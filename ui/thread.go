package ui

import "fyne.io/fyne/v2"

// runOnUI hands f to Fyne's goroutine, where widgets may be touched. Every
// worker in the package goes through it rather than calling fyne.Do
// directly, so that tests can queue the work for the test goroutine:
// Fyne's test driver runs fyne.Do at once on the caller's goroutine, which
// would race with the test reading the same widgets.
var runOnUI = fyne.Do
