# A day's forecast of one instance's CPU load at hourly steps, from the last two weeks; auto picks the model by
# backtest. Size for the 95% upper bound.
data "atonix_prediction" "cpu" {
  metric  = "cpu_load"
  labels  = { instance_id = "i-1" }
  horizon = "1d"
  step    = "1h"
  history = "14d"
  model   = "auto"
}

output "cpu_peak_95" {
  value = data.atonix_prediction.cpu.max_upper95
}

output "cpu_forecast_model" {
  value = "${data.atonix_prediction.cpu.chosen_model}: ${data.atonix_prediction.cpu.selection}"
}
