package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"unicode/utf8"
)

// fingerprintLen is how much of a file's start identifies it.
const fingerprintLen = 4096

// headLen is how much of the start is read for detection and headers.
const headLen = 64 << 10

// input is one thing to ingest: a file, a .gz file, a member of a .zip
// archive, or stdin.
type input struct {
	path    string // as the user named it ("archive.zip!member" for a member); "-" for stdin
	key     string // the source record key
	size    int64  // on-disk size (compressed for .gz; uncompressed for a zip member), 0 if unknown
	modTime int64
	gz      bool
	stdin   io.Reader
	zipPath string // for a zip member: the archive, and the member's name
	member  string
}

// zipMagic starts a zip archive (a local file header).
var zipMagic = []byte("PK\x03\x04")

// isZip reports whether the file at path starts like a zip archive.
func isZip(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, len(zipMagic))
	n, _ := io.ReadFull(f, magic)
	return bytes.Equal(magic[:n], zipMagic)
}

// zipInputs lists the members of a zip archive (its regular files, in name
// order) as inputs of their own: security datasets often come as zips of
// JSON logs.
func zipInputs(path string, fi fs.FileInfo, notLogs *[]string) ([]input, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%s: zip: %w", path, err)
	}
	defer zr.Close()
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	var out []input
	for _, f := range zr.File {
		if !f.Mode().IsRegular() {
			continue
		}
		if notALog(f.Name) {
			*notLogs = append(*notLogs, path+"!"+f.Name)
			continue
		}
		mod := fi.ModTime()
		if !f.Modified.IsZero() {
			mod = f.Modified
		}
		out = append(out, input{path: path + "!" + f.Name, key: abs + "!" + f.Name, size: int64(f.UncompressedSize64),
			modTime: mod.UnixNano(), zipPath: path, member: f.Name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].member < out[j].member })
	return out, nil
}

// fileInputs is the input of a regular file, or those of a zip archive's
// members. Only a file named .zip is opened as an archive: office
// documents and jars are zips too, and their XML is no log (they stay
// single files, skipped as binary).
func fileInputs(path string, fi fs.FileInfo, notLogs *[]string) ([]input, error) {
	if strings.EqualFold(filepath.Ext(path), ".zip") && isZip(path) {
		return zipInputs(path, fi, notLogs)
	}
	return []input{newInput(path, fi)}, nil
}

// expand turns the user's paths into inputs: directories are walked
// (recursively, in name order), "-" is stdin. Files found in a directory
// or a zip archive whose names say they are not logs (see notALog) are
// left out and listed in notLogs; a file named on the command line is
// always an input.
func expand(paths []string, stdin io.Reader, stdinName string) (out []input, errs []error, notLogs []string) {
	for _, p := range paths {
		if p == "-" {
			out = append(out, input{path: "-", key: "stdin:" + stdinName, stdin: stdin})
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !fi.IsDir() {
			ins, err := fileInputs(p, fi, &notLogs)
			if err != nil {
				errs = append(errs, err)
			}
			out = append(out, ins...)
			continue
		}
		var found []input
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, err)
				return nil
			}
			if d.IsDir() && path != p && vcsDirs[d.Name()] {
				notLogs = append(notLogs, path+string(filepath.Separator))
				return fs.SkipDir
			}
			if d.Type().IsRegular() && notALog(d.Name()) {
				notLogs = append(notLogs, path)
				return nil
			}
			if d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					ins, err := fileInputs(path, fi, &notLogs)
					if err != nil {
						errs = append(errs, err)
					}
					found = append(found, ins...)
				}
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
		sort.SliceStable(found, func(i, j int) bool { return found[i].path < found[j].path })
		out = append(out, found...)
	}
	return out, errs, notLogs
}

// vcsDirs are version control folders, which a directory walk skips.
var vcsDirs = map[string]bool{".git": true, ".svn": true, ".hg": true}

// notLogExts are the extensions of files that are not logs: documents,
// configuration, images, checksums, code, data and databases.
var notLogExts = map[string]bool{
	".md": true, ".markdown": true, ".rst": true, ".adoc": true, ".pdf": true, ".doc": true, ".docx": true,
	".odt": true, ".rtf": true, ".xls": true, ".xlsx": true, ".ods": true, ".ppt": true, ".pptx": true,
	".html": true, ".htm": true, ".css": true,
	".yaml": true, ".yml": true, ".toml": true,
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".bmp": true, ".svg": true, ".ico": true,
	".webp": true, ".tif": true, ".tiff": true, ".heic": true,
	".sha256": true, ".sha1": true, ".sha512": true, ".md5": true, ".sig": true, ".asc": true,
	".py": true, ".go": true, ".js": true, ".mjs": true, ".ts": true, ".c": true, ".h": true, ".java": true,
	".rb": true, ".sh": true, ".ps1": true, ".bat": true, ".ipynb": true, ".lhq": true,
	".exe": true, ".dll": true, ".so": true, ".o": true, ".a": true, ".pyc": true, ".class": true, ".jar": true,
	".db": true, ".sqlite": true, ".mat": true, ".npz": true, ".npy": true, ".pkl": true, ".parquet": true,
}

// docNames start the names of a project's documents (README.md,
// LICENSE, LICENSE_logdeep, CITATION, MANIFEST.sha256, ...).
var docNames = []string{"readme", "license", "licence", "copying", "notice", "authors", "contributors",
	"changelog", "citation", "manifest", "contributing", "code_of_conduct"}

// notALog reports whether a file's name says it is not a log: a
// document, configuration, image, checksum, code or database by its
// extension, a project document by its name (unless the name holds
// ".log"), or .gitignore and its kind.
func notALog(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	if notLogExts[filepath.Ext(base)] {
		return true
	}
	switch base {
	case ".gitignore", ".gitattributes", ".gitmodules", ".ds_store", "thumbs.db", "makefile", "dockerfile":
		return true
	}
	if strings.Contains(base, ".log") {
		return false
	}
	for _, d := range docNames {
		if rest, ok := strings.CutPrefix(base, d); ok && (rest == "" || strings.ContainsRune("._-", rune(rest[0]))) {
			return true
		}
	}
	return false
}

// notLogNote is the one warning about the files expand left out, or "".
func notLogNote(notLogs []string) string {
	if len(notLogs) == 0 {
		return ""
	}
	shown := notLogs[:min(len(notLogs), 5)]
	more := ""
	if len(notLogs) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(notLogs)-len(shown))
	}
	files := fmt.Sprintf("%d files that are not logs by their names", len(notLogs))
	if len(notLogs) == 1 {
		files = "1 file that is not a log by its name"
	}
	return fmt.Sprintf("skipped %s (README, LICENSE, .md, .yaml, images, code, .git, ...): %s%s; name a file on the command line to ingest it anyway",
		files, strings.Join(shown, ", "), more)
}

func newInput(path string, fi fs.FileInfo) input {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return input{path: path, key: abs, size: fi.Size(), modTime: fi.ModTime().UnixNano()}
}

// opened is an input open for reading from its start.
type opened struct {
	r      io.Reader // uncompressed content
	read   *atomic.Int64
	head   []byte // the first headLen bytes, also still to be read from r
	closer io.Closer
}

// open opens an input, detecting gzip by its magic bytes. read counts the
// on-disk bytes consumed, for progress.
func (in *input) open() (*opened, error) {
	o := &opened{read: new(atomic.Int64)}
	var src io.Reader
	switch {
	case in.stdin != nil:
		src = in.stdin
	case in.member != "":
		rc, closer, err := openMember(in.zipPath, in.member)
		if err != nil {
			return nil, err
		}
		o.closer = closer
		src = rc
	default:
		f, err := os.Open(in.path)
		if err != nil {
			return nil, err
		}
		o.closer = f
		src = f
	}
	br := bufio.NewReaderSize(&countingReader{src, o.read}, 1<<20)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			o.close()
			return nil, fmt.Errorf("gzip: %w", err)
		}
		in.gz = true
		o.r = zr
	} else {
		o.r = br
	}
	// Read the head and put it back in front of the rest.
	head := make([]byte, headLen)
	n, err := io.ReadFull(o.r, head)
	o.head = head[:n]
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		o.r = io.MultiReader(bytes.NewReader(o.head), errReader{err})
	} else {
		o.r = io.MultiReader(bytes.NewReader(o.head), o.r)
	}
	return o, nil
}

// openMember opens a member of a zip archive; closing the closer closes
// both.
func openMember(archive, name string) (io.Reader, io.Closer, error) {
	zr, err := zip.OpenReader(archive)
	if err != nil {
		return nil, nil, fmt.Errorf("zip: %w", err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				zr.Close()
				return nil, nil, fmt.Errorf("zip member %s: %w", name, err)
			}
			return rc, closers{rc, zr}, nil
		}
	}
	zr.Close()
	return nil, nil, fmt.Errorf("zip member %s: no longer in the archive", name)
}

type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (o *opened) close() {
	if o.closer != nil {
		o.closer.Close()
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// fingerprint hashes the first n bytes of head.
func fingerprint(head []byte, n int64) uint64 {
	h := fnv.New64a()
	h.Write(head[:min(n, int64(len(head)))])
	return h.Sum64()
}

// isBinary reports whether head, a file's first 64 KiB, looks like a
// binary file rather than text: when most of it is not text. Text is
// printable ASCII, blanks (tab, newline, CR, form feed, vertical tab), ESC
// (coloured logs) and valid UTF-8; not text is other control bytes, DEL
// and bytes that are not valid UTF-8. Runs of NUL bytes, which a crash
// leaves in a log and the splitter drops, count as neither, so a log with
// a few NULs or some Latin-1 bytes is a log, but a head of nothing but NULs
// (a zeroed file) holds no text at all and is binary.
func isBinary(head []byte) bool {
	head = head[:min(len(head), headLen)]
	text, other, nuls := 0, 0, 0
	for i := 0; i < len(head); {
		c := head[i]
		switch {
		case c == 0:
			j := i + 1
			for j < len(head) && head[j] == 0 {
				j++
			}
			if j-i < minNULRun && i > 0 && head[i-1] != '\n' {
				other += j - i
			}
			nuls += j - i
			i = j
			continue
		case c >= 0x20 && c < 0x7f, c == '\n', c == '\r', c == '\t', c == '\f', c == '\v', c == 0x1b:
			text++
		case c < 0x80:
			other++
		default:
			r, n := utf8.DecodeRune(head[i:])
			if r == utf8.RuneError && n <= 1 {
				if len(head)-i < utf8.UTFMax && len(head) == headLen {
					i = len(head) // a character cut by the end of the head
					continue
				}
				other++
				i++
				continue
			}
			text += n
			i += n
			continue
		}
		i++
	}
	return other > text || text == 0 && nuls > 0
}

// sampleLines returns up to n non-empty lines of head, for detection.
func sampleLines(head []byte, n int) []string {
	var out []string
	for len(head) > 0 && len(out) < n {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			i = len(head)
		}
		if line := trimCRBytes(head[:i]); len(bytes.TrimSpace(line)) > 0 {
			out = append(out, string(line))
		}
		head = head[min(i+1, len(head)):]
	}
	return out
}
