"""Work queues: open cases of every case feature, by due date, overdue first, per handling unit."""
