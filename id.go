package gone

// MaxIDLength is the longest id gone accepts, in bytes.
const MaxIDLength = 128

// ValidID reports whether id follows the id grammar:
//
//	id = ALNUM *127( ALNUM / "-" / "_" / "." / "~" )
//
// These are RFC 3986 unreserved characters, so an id never needs escaping in
// a path, and the first character rules out "." and ".." segments.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > MaxIDLength || !isAlnum(id[0]) {
		return false
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' && c != '~' {
			return false
		}
	}
	return true
}

// ValidCollection reports whether name is a valid collection name: a
// lower-case letter followed by up to 62 lower-case letters, digits or "-".
func ValidCollection(name string) bool {
	if len(name) == 0 || len(name) > 63 || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
