// Package broken does not compile: leakhound test exits 3.
package broken

func Broken() int {
	return undefinedName
}
