variable "organisation" {
  description = "Clever Cloud organisation id (orga_...)"
  type        = string
  default     = null
}

variable "region" {
  description = "Clever Cloud zone"
  type        = string
  default     = "par"
}

variable "domain" {
  description = "The domain both apps share"
  type        = string
  default     = "webapp.example.org"
}

variable "session_secret" {
  description = "Secret used to sign sessions"
  type        = string
  sensitive   = true
}
