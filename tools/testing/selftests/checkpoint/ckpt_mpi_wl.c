// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_mpi_wl - an ordinary MPI program for the checkpoint tests
 *
 * Usage: mpirun -np R ckpt_mpi_wl STEPS CELLS [OUTFILE]
 *
 * A 1-D Jacobi iteration over R * CELLS cells (fixed ends 1.0 and 0.0),
 * split in blocks over the ranks: each step exchanges the halo cells with
 * the neighbours (MPI_Sendrecv), passes a token once around the ring of
 * ranks, and sums the residual and a checksum over all ranks
 * (MPI_Allreduce).  Rank 0 writes "step N checksum X" per step and
 * "answer X" at the end, to OUTFILE (appended, unbuffered) or stdout.  The
 * arithmetic is the same on every run with the same arguments, so the
 * answer of a run that was checkpointed, killed and restarted part-way
 * must equal the answer of an uninterrupted run, bit for bit.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <mpi.h>

static void out(int fd, const char *fmt, double a, long s)
{
	char buf[128];
	int n;

	if (s >= 0)
		n = snprintf(buf, sizeof(buf), fmt, s, a);
	else
		n = snprintf(buf, sizeof(buf), fmt, a);
	if (write(fd, buf, n) != n)
		MPI_Abort(MPI_COMM_WORLD, 3);
}

int main(int argc, char **argv)
{
	int rank, size, left, right, fd = 1;
	long steps, cells, i, k;
	double *u, *v, *t, loc[2], glob[2];
	long token;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (argc < 3) {
		if (!rank)
			fprintf(stderr, "usage: ckpt_mpi_wl STEPS CELLS [OUTFILE]\n");
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
	steps = atol(argv[1]);
	cells = atol(argv[2]);
	if (steps < 1 || cells < 1 || cells > (1L << 26))
		MPI_Abort(MPI_COMM_WORLD, 2);
	if (!rank && argc > 3) {
		fd = open(argv[3], O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0)
			MPI_Abort(MPI_COMM_WORLD, 2);
	}
	left = rank > 0 ? rank - 1 : MPI_PROC_NULL;
	right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
	u = calloc(cells + 2, sizeof(*u));
	v = calloc(cells + 2, sizeof(*v));
	if (!u || !v)
		MPI_Abort(MPI_COMM_WORLD, 2);
	if (!rank) {
		u[0] = 1.0;
		v[0] = 1.0;
	}

	for (k = 1; k <= steps; k++) {
		/* halos */
		MPI_Sendrecv(&u[1], 1, MPI_DOUBLE, left, 0,
			     &u[cells + 1], 1, MPI_DOUBLE, right, 0,
			     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		MPI_Sendrecv(&u[cells], 1, MPI_DOUBLE, right, 1,
			     &u[0], 1, MPI_DOUBLE, left, 1,
			     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (!rank)
			u[0] = 1.0;
		if (rank == size - 1)
			u[cells + 1] = 0.0;
		loc[0] = 0.0;
		loc[1] = 0.0;
		for (i = 1; i <= cells; i++) {
			v[i] = 0.5 * (u[i - 1] + u[i + 1]);
			loc[0] += (v[i] - u[i]) * (v[i] - u[i]);
			loc[1] += v[i] * (double)(rank * cells + i);
		}
		t = u;
		u = v;
		v = t;
		/* a token once around the ring: every rank adds its rank + step */
		if (size > 1) {
			if (!rank) {
				token = k;
				MPI_Send(&token, 1, MPI_LONG, 1, 2, MPI_COMM_WORLD);
				MPI_Recv(&token, 1, MPI_LONG, size - 1, 2,
					 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			} else {
				MPI_Recv(&token, 1, MPI_LONG, rank - 1, 2,
					 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
				token += rank + k;
				MPI_Send(&token, 1, MPI_LONG, (rank + 1) % size,
					 2, MPI_COMM_WORLD);
			}
		} else {
			token = k;
		}
		MPI_Allreduce(loc, glob, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
		if (!rank) {
			/* the token is k + sum over ranks 1..size-1 of (r + k) */
			if (token != k + (long)size * (size - 1) / 2 + (size - 1) * k)
				MPI_Abort(MPI_COMM_WORLD, 4);
			out(fd, "step %ld checksum %.17g\n", glob[1], k);
		}
	}
	if (!rank)
		out(fd, "answer %.17g\n", glob[1] + glob[0], -1);
	free(u);
	free(v);
	MPI_Finalize();
	return 0;
}
