package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A resource's whole life through the CLI.
func TestWriteCommands(t *testing.T) {
	s := newCLIServer(t)
	s.gone(`{"name":"Eve"}`, "put", "users/500").want(t, "put from stdin", exitOK, "created users/500", `"name": "Eve"`)
	s.gone("", "put", "users/500", "--data", `{"name":"Eve"}`).want(t, "put again", exitOK, "replaced users/500")
	s.gone("", "put", "users/501", "--data", `{nope`).want(t, "put bad JSON", exitUsage, "not valid JSON")
	s.gone("", "patch", "users/500", "--data", `{"email":"eve@example.com"}`).want(t, "patch", exitOK, `"email": "eve@example.com"`)
	s.gone("", "delete", "users/500").want(t, "soft delete", exitOK, `"state": "deleted"`, "restorableUntil")
	s.goneEnv(map[string]string{"GONE_URL": s.url}, "", "get", "users/500").want(t, "public get of trash", exitNotFound)
	s.gone("", "get", "users/500").want(t, "admin get of trash", exitNotFound, "gone lifecycle users/500")
	s.gone("", "lifecycle", "users/500").want(t, "admin sees the trash", exitOK, `"state": "deleted"`, "restorableUntil")
	s.gone("", "list", "users", "--state", "deleted").want(t, "trash listing", exitOK, `"id":"500","state":"deleted"`)
	s.gone("", "restore", "users/500").want(t, "restore", exitOK, `"state": "live"`)
	s.gone("", "move", "users/500", "eve").want(t, "move", exitOK, `"id": "eve"`)
	s.gone("", "get", "users/500").want(t, "get moved", exitOK, "eve@example.com")
	s.gone("", "move", "users/eve").want(t, "move without new id", exitUsage, "needs the new id")
	s.gone("", "lifecycle", "users/eve", "--expires-at", "2030-01-01T00:00:00Z", "--alternative", "/api/users").
		want(t, "lifecycle set", exitOK, `"expiresAt": "2030-01-01T00:00:00Z"`, `"alternative": "/api/users"`)
	s.gone("", "lifecycle", "users/eve", "--expires-at", "none").want(t, "lifecycle clear", exitOK)
	s.gone("", "lifecycle", "users/eve", "--output", "table").want(t, "lifecycle show", exitOK, "ACTION", "moved from 500", "state")
	s.gone("", "lifecycle", "users/eve", "--expires-at", "soon").want(t, "lifecycle bad time", exitUsage, "RFC 3339")
	s.gone("", "delete", "users/eve", "--permanent", "--reason", "user_request", "--alternative", "/api/users").
		want(t, "permanent delete, flags after the target", exitOK, `"state": "gone"`, `"reason": "User requested account deletion"`)
	s.gone("", "get", "users/eve").want(t, "get after delete", exitGone, "reason:      User requested account deletion", "alternative: /api/users")
	s.gone("", "put", "users/eve", "--data", `{}`).want(t, "put on a retired id", exitFailed, "409 Conflict", "deleted at:")
	s.gone("", "restore", "users/42").want(t, "restore a live id", exitFailed, "409")
}

// import: failed lines are listed with their reasons and change nothing;
// running the same file again changes nothing.
func TestImportJSONL(t *testing.T) {
	s := newCLIServer(t)
	file := filepath.Join(t.TempDir(), "users.jsonl")
	lines := strings.Join([]string{
		`{"id":"i1","data":{"name":"One"}}`,
		`{"id":"i2","data":{"name":"Two"}`, // broken
		`{"collection":"users","id":"123","data":{"name":"Reused"}}`,
		``,
		`{"id":"i3","data":{"name":"Three"}}`,
		`{"id":"bad id","data":{}}`,
	}, "\n")
	if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	r := s.gone("", "import", "--collection", "users", file)
	r.want(t, "import", exitFailed, "5 lines: 2 created, 0 replaced, 0 unchanged, 3 failed",
		"line 2: not a valid line", "line 3: users/123: 409 Conflict", "(deleted 2026-01-05T10:30:00Z)", `line 6: users/bad id: id "bad id" is not valid`,
		"3 of 5 lines failed")
	if i, j := strings.Index(r.stdout, "line 3:"), strings.Index(r.stdout, "line 6:"); i > j {
		t.Errorf("failures are not in line order:\n%s", r.stdout)
	}
	s.gone("", "get", "users/i2").want(t, "the broken line wrote nothing", exitNotFound)
	s.gone("", "get", "users/123").want(t, "the refused line wrote nothing", exitGone)
	s.gone("", "import", "--collection", "users", file).want(t, "import again", exitFailed, "5 lines: 0 created, 0 replaced, 2 unchanged, 3 failed")
	s.gone("", "get", "users/i3").want(t, "imported", exitOK, `"name": "Three"`)
	s.gone("", "audit", "users/i1").want(t, "one create only", exitOK, `"action":"create"`)
	if r := s.gone("", "audit", "users/i1"); strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("audit of users/i1 after two imports:\n%s\nwant one event", r.stdout)
	}
	s.gone("", "import", "--collection", "users", "--output", "json", file).want(t, "import json summary", exitFailed, `"unchanged": 2`, `"line": 3`)
	s.gone("", "import", filepath.Join(t.TempDir(), "missing.jsonl")).want(t, "missing file", exitFailed, "no such file")
	s.gone("", "import").want(t, "no file", exitUsage)
}

func TestImportCSV(t *testing.T) {
	s := newCLIServer(t)
	csv := "id,name,email\nc1,Cee,c1@example.com\nc2,Dee\n"
	s.gone(csv, "import", "--collection", "users", "--format", "csv", "-").
		want(t, "import csv", exitFailed, "2 lines: 1 created, 0 replaced, 0 unchanged, 1 failed", "line 3: 2 fields, the header has 3")
	s.gone("", "get", "users/c1").want(t, "csv row", exitOK, `"email": "c1@example.com"`, `"id": "c1"`)
	s.gone(csv, "import", "--format", "csv", "-").want(t, "no collection", exitUsage, `the CSV header has no "collection" column: give --collection`)
}

// A whole-file mistake stops the import at once with one message; Excel's
// BOM and CRLF are fine; CSV cells can be typed; --dry-run writes nothing.
func TestImportWholeFileAndTypes(t *testing.T) {
	s := newCLIServer(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	many := strings.Repeat("x1,Ex\n", 3000)
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
		want string
		code int
	}{
		{"no collection", []string{"import", write("nocoll.csv", "id,name\n"+many)}, nil, `no "collection" column: give --collection`, exitUsage},
		{"unknown format", []string{"import", write("users.txt", many)}, nil, "give --format jsonl or --format csv", exitUsage},
		{"not JSON Lines", []string{"import", "--collection", "users", write("users.jsonl", "id,name\n"+many)}, nil, "line 1 is not a JSON object", exitUsage},
		{"header without id", []string{"import", "--collection", "users", write("noid.csv", "name,email\n"+many)}, nil, `the CSV header has no "id" column`, exitUsage},
		{"wrong token", []string{"import", "--collection", "users", write("ok.csv", "id,name\n"+many)}, map[string]string{"GONE_URL": s.url, "GONE_TOKEN": "wrong"}, "refused the token", exitFailed},
		{"no server", []string{"import", "--collection", "users", write("ok2.csv", "id,name\n"+many)}, map[string]string{"GONE_URL": "http://127.0.0.1:1", "GONE_TOKEN": "x"}, "no gone server answers at http://127.0.0.1:1", exitFailed},
		{"unknown collection", []string{"import", "--collection", "nope", write("ok3.csv", "id,name\n"+many)}, nil, `the server has no collection "nope"`, exitFailed},
	} {
		var r result
		if c.env != nil {
			r = s.goneEnv(c.env, "", c.args...)
		} else {
			r = s.gone("", c.args...)
		}
		r.want(t, c.name, c.code, c.want)
		if n := strings.Count(r.stdout+r.stderr, "\n"); n > 3 {
			t.Errorf("%s: %d lines of output, want one message:\n%s%s", c.name, n, r.stdout, r.stderr)
		}
	}
	s.gone("", "get", "users/x1").want(t, "nothing written", exitNotFound)

	typed := write("typed.csv", "\xef\xbb\xbfid,age:number,active:boolean,tags:json,zip,score\r\n"+
		"t1,36,true,\"[\"\"a\"\"]\",007,1.5\r\n"+
		"t2,,false,null,10,x\r\n"+
		"t3,old,true,[],1,2\r\n")
	s.gone("", "import", "--collection", "users", "--dry-run", typed).
		want(t, "dry run", exitFailed, "3 lines: 2 ready to send, 1 failed (dry run: nothing was written)", `line 4: users/t3: column age: "old" is not a number`)
	s.gone("", "get", "users/t1").want(t, "dry run wrote nothing", exitNotFound)
	s.gone("", "import", "--collection", "users", "--infer-types", typed).want(t, "typed import", exitFailed, "2 created")
	s.gone("", "get", "users/t1").want(t, "typed cells", exitOK, `"age": 36`, `"active": true`, `"tags": [`, `"zip": "007"`, `"score": 1.5`, `"id": "t1"`)
	s.gone("", "get", "users/t2").want(t, "empty typed cell is null", exitOK, `"age": null`, `"tags": null`, `"score": "x"`)
	s.gone("", "import", "--collection", "users", write("plain.csv", "id,zip\r\nt9,10\r\n")).want(t, "untyped", exitOK, "1 created")
	s.gone("", "get", "users/t9").want(t, "strings by default", exitOK, `"zip": "10"`)
}

// --if-match and --if-none-match make a write conditional: a failed one
// exits 1 with the server's 412 and the current ETag, and changes nothing.
func TestConditionalWriteFlags(t *testing.T) {
	s := newCLIServer(t)
	s.gone("", "put", "users/42", "--if-none-match", "*", "--data", `{"name":"X"}`).
		want(t, "create-only put on an existing id", exitFailed, "412", `ETag "1"`)
	s.gone("", "delete", "users/42", "--if-match", "7").want(t, "delete with a stale ETag", exitFailed, "412", `its ETag is "1"`)
	s.gone("", "get", "users/42").want(t, "nothing changed", exitOK, "Ada Lovelace")
	s.gone("", "put", "users/600", "--if-none-match", "*", "--data", `{"name":"New"}`).want(t, "create-only put", exitOK, "created users/600")
	s.gone("", "patch", "users/42", "--if-match", `"1"`, "--data", `{"name":"Ada"}`).want(t, "patch with the current ETag", exitOK, `"name": "Ada"`)
	s.gone("", "lifecycle", "users/42", "--if-match", "2").want(t, "lifecycle show ignores --if-match", exitOK, `"version": 2`)
	s.gone("", "move", "users/42", "ada", "--if-match", "1").want(t, "move with a stale ETag", exitFailed, "412")
}
