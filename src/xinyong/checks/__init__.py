"""The automatic check (自动比对、自动拦截、自动反馈): which listed measures apply to a subject."""
