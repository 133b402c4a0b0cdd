package htmlreport

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chromium returns the path of Debian's chromium, or skips the test with one
// line (CI installs it: see .ci/run).
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not on PATH: browser test skipped (apt-get install chromium)")
	}
	return path
}

// runChromium runs headless chromium on a page with a fresh profile and no
// background networking (style.md), and returns its stdout.
func runChromium(t *testing.T, bin, page string, width int, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--window-size=" + strconv.Itoa(width) + ",2000"}, args...)
	all = append(all, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, all...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", filepath.Base(page), err, stderr.String())
	}
	return stdout.Bytes()
}

// TestBrowser renders each page in headless Chromium: the DOM after load has
// the charts' marks and the answer in text, and a screenshot at desktop and
// phone width is not blank.
func TestBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	for name, html := range pages(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			page := filepath.Join(dir, name+".html")
			if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
				t.Fatal(err)
			}
			wide, phone := filepath.Join(dir, name+"-1280.png"), filepath.Join(dir, name+"-390.png")
			dom := string(runChromium(t, bin, page, 1280, "--dump-dom", "--screenshot="+wide, "--hide-scrollbars"))
			// The DOM chromium built holds the same marks as the file.
			if got, want := strings.Count(dom, "<rect "), strings.Count(html, "<rect "); got != want || got == 0 {
				t.Errorf("DOM has %d <rect>, the file %d", got, want)
			}
			if got, want := strings.Count(dom, "<svg "), strings.Count(html, "<svg "); got != want || got == 0 {
				t.Errorf("DOM has %d <svg>, the file %d", got, want)
			}
			if name == "recommend" && !strings.Contains(dom, "Recommended: Max 5x") {
				t.Error("DOM lacks the recommendation in text")
			}
			checkNotBlank(t, wide)
			runChromium(t, bin, page, 390, "--screenshot="+phone, "--hide-scrollbars")
			checkNotBlank(t, phone)
			if dir := os.Getenv("USAGESCAN_SCREENSHOTS"); dir != "" { // to look at them
				for _, f := range []string{wide, phone} {
					if data, err := os.ReadFile(f); err == nil {
						os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644)
					}
				}
			}
		})
	}
}

// checkNotBlank decodes a screenshot and requires a share of pixels that are
// not white, and some in a chart colour (not just black text).
func checkNotBlank(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	inked, coloured, total := 0, 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			total++
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				inked++
			}
			if isChartColour(img, x, y) {
				coloured++
			}
		}
	}
	if inked*100 < total {
		t.Errorf("%s: only %d of %d sampled pixels are not white", filepath.Base(path), inked, total)
	}
	if coloured < 50 {
		t.Errorf("%s: only %d sampled pixels in a chart colour", filepath.Base(path), coloured)
	}
}

// isChartColour: a saturated pixel (bars are Okabe-Ito colours; text is grey).
func isChartColour(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	hi := max(r, g, b)
	lo := min(r, g, b)
	return hi-lo > 0x5000
}
