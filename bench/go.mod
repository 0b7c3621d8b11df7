module github.com/batchtool/batchtool/bench

go 1.26.8

require (
	github.com/batchtool/batchtool v0.0.0
	github.com/moov-io/iso20022 v0.2.1
	github.com/shopspring/decimal v1.6.0
)

require (
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/batchtool/batchtool => ../
