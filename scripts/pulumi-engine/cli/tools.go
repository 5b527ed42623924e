//go:build tools

// Pins the Pulumi CLI's main package so `go build` of it resolves from this module's go.mod.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
